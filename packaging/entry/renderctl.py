"""The bundle's `renderctl` program: the command line (see render_manager.cli.main)."""

import sys

from render_manager.cli.main import main

sys.exit(main())
