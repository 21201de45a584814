# Lets `python3 -m pytest bindings/python` import the package from this directory.
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
