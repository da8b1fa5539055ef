"""The live-stream sale played end to end by `make run`: a scenario file, simulated buyers, hoarder
bots and platforms calling the services through their gRPC stubs, a live console and a report."""
