"""The gRPC servicer of sync."""
