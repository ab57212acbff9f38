//! QR codes for packaging: error correction M, a quiet zone of four modules, sized for print.

use qrcode::{Color, EcLevel, QrCode};

pub const MIN_SIZE: u32 = 64;
pub const MAX_SIZE: u32 = 2048;
pub const DEFAULT_SIZE: u32 = 512;
const QUIET: u32 = 4;

/// The requested size in pixels, bounded.
pub fn size(requested: Option<u32>) -> u32 {
    requested.unwrap_or(DEFAULT_SIZE).clamp(MIN_SIZE, MAX_SIZE)
}

fn code(data: &str) -> Result<QrCode, String> {
    QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).map_err(|e| e.to_string())
}

pub fn svg(data: &str, size: u32) -> Result<String, String> {
    Ok(code(data)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(size, size)
        .quiet_zone(true)
        .build())
}

/// A greyscale PNG about `size` pixels wide: whole pixels per module, quiet zone included.
pub fn png(data: &str, size: u32) -> Result<Vec<u8>, String> {
    let qr = code(data)?;
    let width = qr.width() as u32;
    let colors = qr.to_colors();
    let total = width + 2 * QUIET;
    let scale = (size / total).max(1);
    let px = total * scale;
    let mut pixels = vec![255u8; (px * px) as usize];
    for y in 0..width {
        for x in 0..width {
            if colors[(y * width + x) as usize] == Color::Dark {
                for dy in 0..scale {
                    let row = ((y + QUIET) * scale + dy) * px;
                    let start = (row + (x + QUIET) * scale) as usize;
                    pixels[start..start + scale as usize].fill(0);
                }
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, px, px);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| e.to_string())?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| e.to_string())?;
    }
    Ok(out)
}
