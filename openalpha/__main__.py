import sys

from openalpha.cli import main

sys.exit(main())
