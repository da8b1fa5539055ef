"""The gRPC servicer of inventory."""
