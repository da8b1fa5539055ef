"""Renders the Kubernetes overlays with kustomize and checks them: schemas, pod hardening, secrets,
network reachability, availability and the migrations gate. Used by tests/deploy and by
`python -m tools.manifests`."""
