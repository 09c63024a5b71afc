//! Charts, drawn with plotters (placeholder until the drawing module lands).
