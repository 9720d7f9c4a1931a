// Placeholder: runners for the MLS test-vector formats arrive with the next commit.
enum KalandraMLSVectorsPlaceholder {}
