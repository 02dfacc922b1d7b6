"""The bundle's `render-manager` program: the window (see render_manager.app)."""

import sys

from render_manager.app import main

sys.exit(main())
