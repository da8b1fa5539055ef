from services.sync.bootstrap import build
from services.runtime.main import run

run("sync", build)
