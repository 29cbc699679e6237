"""nhacviec: wiring (configuration, CLI, service start-up) of the core, models, scheduler and bot packages."""
