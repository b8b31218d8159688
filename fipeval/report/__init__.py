"""Reports: study file, sections, HTML/Markdown/JSON writers, regression check."""

from .config import StudyConfig, load_config
from .run import build_report, write_report

__all__ = ["StudyConfig", "load_config", "build_report", "write_report"]
