from services.riskcontrol.bootstrap import build
from services.runtime.main import run

run("riskcontrol", build)
