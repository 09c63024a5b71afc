//! Colours and marker shapes. Classes use the Okabe–Ito palette (Okabe & Ito, "Color Universal
//! Design", 2008), which stays distinguishable under the common colour-vision deficiencies, and
//! every class also has its own marker shape, so no chart relies on colour alone.

use plotters::prelude::*;

/// The class colours, in class order (the palette repeats after ten classes).
pub const CLASS_COLORS: [RGBColor; 10] = [
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xF0, 0xE4, 0x42), // yellow
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0x99, 0x99, 0x99), // grey
    RGBColor(0x88, 0x22, 0x55), // wine
];

/// Text.
pub const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Secondary text (notes, empty-chart messages).
pub const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
/// Light grid lines.
pub const GRID: RGBColor = RGBColor(0xE6, 0xE6, 0xE6);
/// Axis lines, frames.
pub const GRID_DARK: RGBColor = RGBColor(0xAA, 0xAA, 0xAA);
/// Point outlines and the selection ring.
pub const INK: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);

/// Series colours of the curves (Okabe–Ito too): the teacher, the distilled and the control student,
/// and the two terms of the distillation loss.
pub const TEACHER: RGBColor = RGBColor(0x00, 0x00, 0x00);
pub const DISTILLED: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub const CONTROL: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub const SOFT_TERM: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub const HARD_TERM: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
/// Marks a wrong prediction (vermillion, always with a text mark as well).
pub const WRONG: RGBColor = RGBColor(0xD5, 0x5E, 0x00);

/// The concepts' colours darkened for text on white (at least 4.5:1 contrast), where the series
/// colour itself is too light to read: the soft term, the hard term, the control student.
pub const SOFT_TERM_INK: RGBColor = RGBColor(0x8A, 0x5F, 0x00);
pub const HARD_TERM_INK: RGBColor = RGBColor(0x1E, 0x6A, 0x94);
pub const CONTROL_INK: RGBColor = RGBColor(0xA3, 0x47, 0x00);

/// `#rrggbb` of a colour, as CSS and SVG write it.
pub fn hex(RGBColor(r, g, b): RGBColor) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Every colour that means something, as CSS colours: the page sets them as custom properties
/// (`--kd-teacher`, `--kd-soft-ink`, `--kd-class-3`, …) for its styles and its diagrams, so that a
/// concept has one colour in the charts, the SVG and the CSS.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Palette {
    pub teacher: String,
    pub distilled: String,
    pub control: String,
    pub control_ink: String,
    pub soft: String,
    pub soft_ink: String,
    pub hard: String,
    pub hard_ink: String,
    pub wrong: String,
    pub text: String,
    pub muted: String,
    pub grid: String,
    /// The class colours, in class order.
    pub classes: Vec<String>,
}

/// The palette as the page uses it.
pub fn palette() -> Palette {
    Palette {
        teacher: hex(TEACHER),
        distilled: hex(DISTILLED),
        control: hex(CONTROL),
        control_ink: hex(CONTROL_INK),
        soft: hex(SOFT_TERM),
        soft_ink: hex(SOFT_TERM_INK),
        hard: hex(HARD_TERM),
        hard_ink: hex(HARD_TERM_INK),
        wrong: hex(WRONG),
        text: hex(TEXT),
        muted: hex(MUTED),
        grid: hex(GRID_DARK),
        classes: CLASS_COLORS.iter().map(|&c| hex(c)).collect(),
    }
}

/// The colour of class `class` for areas and bars.
pub fn class_color(class: usize) -> RGBColor {
    CLASS_COLORS[class % CLASS_COLORS.len()]
}

/// The colour of class `class` for small marks on white: the yellow is darkened, it is too light
/// to see as a point otherwise.
pub fn point_color(class: usize) -> RGBColor {
    match class % CLASS_COLORS.len() {
        3 => RGBColor(0xC8, 0xB4, 0x00),
        _ => class_color(class),
    }
}

/// `color` moved a fraction `amount` (0..1) of the way to white.
pub fn towards_white(color: [f32; 3], amount: f32) -> [f32; 3] {
    let a = amount.clamp(0.0, 1.0);
    color.map(|c| c + (255.0 - c) * a)
}

/// The colour of a decision-region pixel: the class colours mixed in proportion to the class
/// probabilities `Σ_c p_c · colour_c`, then lightened by `lighten` towards white so that the points
/// drawn over it stay visible. Probabilities that do not sum to 1 are normalised; non-finite or
/// all-zero probabilities give white.
pub fn region_color(probabilities: &[f32], lighten: f32) -> [u8; 3] {
    let mut mixed = [0.0f32; 3];
    let mut total = 0.0f32;
    for (class, &p) in probabilities.iter().enumerate() {
        if !p.is_finite() || p <= 0.0 {
            continue;
        }
        let RGBColor(r, g, b) = class_color(class);
        mixed[0] += p * f32::from(r);
        mixed[1] += p * f32::from(g);
        mixed[2] += p * f32::from(b);
        total += p;
    }
    if total <= 0.0 {
        return [255, 255, 255];
    }
    towards_white(mixed.map(|c| c / total), lighten).map(|c| c.round().clamp(0.0, 255.0) as u8)
}

/// The marker shape of a class in scatters (colour is not the only cue).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
}

/// The marker shape of class `class`.
pub fn class_shape(class: usize) -> Shape {
    const SHAPES: [Shape; 5] = [Shape::Circle, Shape::Square, Shape::TriangleUp, Shape::Diamond, Shape::TriangleDown];
    SHAPES[class % SHAPES.len()]
}

/// The outline of `shape` around `centre` with a "radius" of `r` pixels, as a polygon (`None` for a
/// circle, which is drawn as a circle). Shapes are sized to look about as large as a circle of `r`.
pub fn shape_polygon(shape: Shape, (x, y): (i32, i32), r: i32) -> Option<Vec<(i32, i32)>> {
    let s = |k: f64| (f64::from(r) * k).round() as i32;
    match shape {
        Shape::Circle => None,
        Shape::Square => Some(vec![
            (x - s(0.88), y - s(0.88)),
            (x + s(0.88), y - s(0.88)),
            (x + s(0.88), y + s(0.88)),
            (x - s(0.88), y + s(0.88)),
        ]),
        Shape::TriangleUp => Some(vec![(x, y - s(1.25)), (x + s(1.15), y + s(0.8)), (x - s(1.15), y + s(0.8))]),
        Shape::TriangleDown => Some(vec![(x, y + s(1.25)), (x + s(1.15), y - s(0.8)), (x - s(1.15), y - s(0.8))]),
        Shape::Diamond => Some(vec![(x, y - s(1.25)), (x + s(1.1), y), (x, y + s(1.25)), (x - s(1.1), y)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certain_region_is_the_class_colour_lightened() {
        // Class 1 is sky blue (0x56, 0xB4, 0xE9); 60 % of the way to white:
        // 0x56 = 86 → 86 + 0.6·169 = 187.4; 0xB4 = 180 → 225; 0xE9 = 233 → 246.2.
        assert_eq!(region_color(&[0.0, 1.0, 0.0], 0.6), [187, 225, 246]);
        assert_eq!(region_color(&[0.0, 1.0, 0.0], 0.0), [0x56, 0xB4, 0xE9]);
    }

    #[test]
    fn uncertain_region_mixes_the_class_colours() {
        // Half orange (230, 159, 0), half bluish green (0, 158, 115): (115, 158.5, 57.5).
        let [r, g, b] = region_color(&[0.5, 0.0, 0.5], 0.0);
        assert_eq!((r, g, b), (115, 159, 58));
    }

    #[test]
    fn degenerate_probabilities_give_white() {
        assert_eq!(region_color(&[], 0.6), [255, 255, 255]);
        assert_eq!(region_color(&[f32::NAN, 0.0], 0.6), [255, 255, 255]);
        // Unnormalised probabilities are normalised.
        assert_eq!(region_color(&[0.0, 2.0], 0.0), [0x56, 0xB4, 0xE9]);
    }

    /// WCAG's contrast ratio of a colour against white.
    fn contrast_on_white(RGBColor(r, g, b): RGBColor) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
        1.05 / (luminance + 0.05)
    }

    #[test]
    fn text_colours_read_on_white_and_the_page_gets_every_colour() {
        for (name, ink) in [
            ("soft", SOFT_TERM_INK),
            ("hard", HARD_TERM_INK),
            ("control", CONTROL_INK),
            ("distilled", DISTILLED),
            ("teacher", TEACHER),
            ("text", TEXT),
            ("muted", MUTED),
        ] {
            assert!(contrast_on_white(ink) >= 4.5, "{name}: {:.2}", contrast_on_white(ink));
        }
        let page = palette();
        assert_eq!(page.teacher, "#000000");
        assert_eq!(page.distilled, "#0072b2");
        assert_eq!(page.classes.len(), 10);
        assert_eq!(page.classes[5], "#d55e00");
    }

    #[test]
    fn classes_beyond_ten_reuse_the_palette() {
        assert_eq!(class_color(12), class_color(2));
        assert_eq!(class_shape(7), class_shape(2));
    }
}
