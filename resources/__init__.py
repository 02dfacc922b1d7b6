"""Icons and desktop files, installed as the package `render_manager.resources`."""
