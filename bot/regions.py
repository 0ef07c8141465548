"""A region's remote-work policy is configuration: one YAML file per region in ``regions/``."""

from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError


class Region(BaseModel):
    id: str
    name: str
    ask_instead: str
    ask_instead_en: str


class RegionConfigError(Exception):
    pass


def load_region(regions_dir: Path, region_id: str) -> Region:
    path = regions_dir / f"{region_id}.yml"
    try:
        return Region.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except OSError as error:
        raise RegionConfigError(
            f"No policy file for region '{region_id}' ({path}): {error}"
        ) from error
    except (yaml.YAMLError, ValidationError) as error:
        raise RegionConfigError(f"Invalid policy file {path}: {error}") from error
