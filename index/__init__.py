"""svar's indexer: reads interpellation answers, cleans them, splits them into passages and writes the index."""
