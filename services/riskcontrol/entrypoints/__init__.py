"""The gRPC servicer of riskcontrol."""
