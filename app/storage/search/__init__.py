"""Full-text search behind one interface: the query syntax is parsed once, then rendered per engine."""
