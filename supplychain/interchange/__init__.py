"""Files in and out of a node: bundles, EPCIS 2.0 documents, PDF reports."""
