from streamstock.sync.v1 import allocation_pb2 as _allocation_pb2
from streamstock.sync.v1 import platforms_pb2 as _platforms_pb2
from streamstock.sync.v1 import quotas_pb2 as _quotas_pb2
from streamstock.sync.v1 import reconciliation_pb2 as _reconciliation_pb2
from streamstock.sync.v1 import sales_pb2 as _sales_pb2
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor
