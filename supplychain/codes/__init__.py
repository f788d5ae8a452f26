"""What a pack carries: GS1 identifiers, scanner text, manufacturer-signed codes, printed labels."""
