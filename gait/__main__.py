import sys

from gait.cli import main

sys.exit(main())
