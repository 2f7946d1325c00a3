"""Settings: the environment and the YAML incident configuration, read once into frozen objects.

Only `bot/__main__.py` calls `load_settings`; everything else receives a `Settings`. `parsing` holds the
checked readers (durations included) that every part of the YAML uses; `incident` the incident
configuration; `settings` the environment.
"""

from bot.config.incident import (
    CHANNEL_TEMPLATE_FIELDS,
    COMMAND,
    DECLINED,
    DEFAULT_CATEGORIES,
    DEFAULT_PRIORITIES,
    DEFAULT_ROLES,
    DEFAULT_SEVERITIES,
    DEFAULT_STATUSES,
    PERMISSION_MODES,
    IncidentConfig,
    Role,
    Severity,
    Status,
    load_incident_config,
)
from bot.config.parsing import ConfigError, duration
from bot.config.settings import Settings, load_settings, normalize_database_url

__all__ = [
    "CHANNEL_TEMPLATE_FIELDS", "COMMAND", "DECLINED", "DEFAULT_CATEGORIES", "DEFAULT_PRIORITIES", "DEFAULT_ROLES",
    "DEFAULT_SEVERITIES", "DEFAULT_STATUSES", "PERMISSION_MODES", "ConfigError", "IncidentConfig", "Role",
    "Settings", "Severity", "Status", "duration", "load_incident_config", "load_settings", "normalize_database_url",
]
