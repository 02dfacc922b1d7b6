"""One module per render API, plus the local-engine adapter, behind one protocol."""
