"""The stack's port settings: defaults, overrides, and what `status` and `down` read back."""

import pytest

from tools.devstack.ports import SERVICE_NAMES, StackPorts, free_ports, is_free


def test_defaults_are_the_documented_ports() -> None:
    ports = StackPorts.from_environment({})

    assert (ports.postgres, ports.redis) == (55432, 56379)
    assert [ports.services[name].grpc for name in SERVICE_NAMES] == [50051, 50052, 50053, 50054]
    assert [ports.services[name].metrics for name in SERVICE_NAMES] == [9461, 9462, 9463, 9464]


def test_each_port_follows_its_variable() -> None:
    ports = StackPorts.from_environment(
        {
            "STREAMSTOCK_PG_PORT": "45432",
            "STREAMSTOCK_REDIS_PORT": "46379",
            "STREAMSTOCK_SYNC_GRPC_PORT": "40054",
            "STREAMSTOCK_SYNC_METRICS_PORT": "40464",
        }
    )

    assert (ports.postgres, ports.redis) == (45432, 46379)
    assert ports.services["sync"].grpc_address == "127.0.0.1:40054"
    assert ports.services["sync"].metrics == 40464
    assert ports.services["inventory"].grpc == 50051


@pytest.mark.parametrize("value", ["http", "0", "70000", "-1"])
def test_a_bad_port_names_its_variable(value: str) -> None:
    with pytest.raises(ValueError, match="STREAMSTOCK_ALERTING_GRPC_PORT"):
        StackPorts.from_environment({"STREAMSTOCK_ALERTING_GRPC_PORT": value})


def test_ports_read_back_from_their_variables() -> None:
    ports = StackPorts.free()
    recorded = {variable: str(port) for variable, port in ports.by_variable().items()}

    assert StackPorts.from_environment(recorded) == ports


def test_free_ports_are_distinct_free_and_below_the_ephemeral_range() -> None:
    ports = free_ports(20)

    assert len(set(ports)) == 20
    assert all(is_free(port) for port in ports)
    with open("/proc/sys/net/ipv4/ip_local_port_range") as ranges:
        ephemeral_start = int(ranges.read().split()[0])
    assert all(port < ephemeral_start for port in ports)
