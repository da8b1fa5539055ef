from services.runtime.main import run
from services.sync.bootstrap import build

run("sync", build)
