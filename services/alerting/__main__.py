from services.alerting.bootstrap import build
from services.runtime.main import run

run("alerting", build)
