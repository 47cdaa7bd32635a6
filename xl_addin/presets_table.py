"""Print the README's presets table, priced from the bundled snapshot: `python -m xl_addin.presets_table`.

The table lives in pricing.model.presets; this entry point loads the catalog, which the model
never does itself (docs/ARCHITECTURE.md).
"""

from pricing.model.presets import seed_comparison_markdown
from pricing.prices.store import bundled_catalog

if __name__ == "__main__":
    print(seed_comparison_markdown(bundled_catalog()))
