"""`streamstock`: the ops CLI over the four services' gRPC contracts."""
