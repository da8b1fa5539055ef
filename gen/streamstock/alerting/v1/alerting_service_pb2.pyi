from streamstock.alerting.v1 import alerts_pb2 as _alerts_pb2
from streamstock.alerting.v1 import deliveries_pb2 as _deliveries_pb2
from streamstock.alerting.v1 import forecast_pb2 as _forecast_pb2
from streamstock.alerting.v1 import plans_pb2 as _plans_pb2
from streamstock.alerting.v1 import policies_pb2 as _policies_pb2
from streamstock.alerting.v1 import quarantine_pb2 as _quarantine_pb2
from streamstock.alerting.v1 import receivers_pb2 as _receivers_pb2
from streamstock.alerting.v1 import reminders_pb2 as _reminders_pb2
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor
