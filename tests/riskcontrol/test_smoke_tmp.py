from tests.riskcontrol.helpers import ALLOW, Risk


async def test_assess_allows_a_first_attempt(risk: Risk) -> None:
    response = await risk.assess("u1", "o1", ip="10.0.0.1", device="d1", limit=2)
    print(response)
    assert response.decision == ALLOW
