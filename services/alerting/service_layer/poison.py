"""Which failures of the follower and the ticker are poison: raised the same way every time the
same input is applied, so retrying cannot help and only stops everyone else's alerting.

Folding an event is pure computation over the event and stored configuration; the errors it raises
when an input is out of what the code handles are arithmetic (OverflowError), value (including the
driver's encoding errors of a value it cannot store), type, lookup (a stored document missing a
key), attribute and assertion errors. Lost connections, timeouts and database errors (serialization
failures, restarts) are not poison: the batch is retried from the checkpoint as before.
"""

from __future__ import annotations

POISON = (ArithmeticError, ValueError, TypeError, LookupError, AttributeError, AssertionError)
