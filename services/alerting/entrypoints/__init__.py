"""The gRPC servicer of alerting."""
