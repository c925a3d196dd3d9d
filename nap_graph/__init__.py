"""NAP Graph: National Action Plans on Women, Peace and Security as a knowledge graph."""

__version__ = "0.1.0"

__all__ = ["__version__"]
