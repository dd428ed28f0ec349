//! QR codes for remote-session URLs, so a phone can open the session.

use qrcode::render::svg;
use qrcode::{Color, EcLevel, QrCode};

use crate::error::{Error, Result};

fn code(data: &str) -> Result<QrCode> {
    QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| Error::InvalidConfig(format!("cannot encode {data:?} as a QR code: {e}")))
}

/// The module matrix (`true` = dark), row by row, without the quiet zone.
pub fn qr_matrix(data: &str) -> Result<Vec<Vec<bool>>> {
    let c = code(data)?;
    let w = c.width();
    let colors = c.to_colors();
    Ok(colors.chunks(w).map(|row| row.iter().map(|m| *m == Color::Dark).collect()).collect())
}

/// Renders `data` for a terminal: two modules per character cell with Unicode half blocks,
/// dark modules drawn as spaces on a light background so it scans on dark terminals too.
pub fn qr_text(data: &str) -> Result<String> {
    let m = qr_matrix(data)?;
    let quiet = 2usize;
    let w = m.len() + 2 * quiet;
    let dark = |r: isize, c: isize| -> bool {
        let (r, c) = (r - quiet as isize, c - quiet as isize);
        r >= 0 && c >= 0 && (r as usize) < m.len() && (c as usize) < m.len() && m[r as usize][c as usize]
    };
    let mut out = String::new();
    let mut r = 0isize;
    while (r as usize) < w {
        for c in 0..w as isize {
            let top = dark(r, c);
            let bottom = (r as usize + 1) < w && dark(r + 1, c);
            out.push(match (top, bottom) {
                (false, false) => '█',
                (true, false) => '▄',
                (false, true) => '▀',
                (true, true) => ' ',
            });
        }
        out.push('\n');
        r += 2;
    }
    Ok(out)
}

/// Renders `data` as a standalone SVG document.
pub fn qr_svg(data: &str) -> Result<String> {
    let c = code(data)?;
    Ok(c.render::<svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build())
}
