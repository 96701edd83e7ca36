"""The docks beside the views: run settings, what-ifs, site details and workbook problems."""
