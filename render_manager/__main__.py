"""`python -m render_manager` opens the window, like `render-manager`."""

import sys

from render_manager.app import main

sys.exit(main())
