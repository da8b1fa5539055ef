from services.inventory.bootstrap import build
from services.runtime.main import run

run("inventory", build)
