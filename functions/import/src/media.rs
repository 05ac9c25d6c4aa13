//! Product images as the storefront serves them: decoded (JPEG, PNG, WebP), fitted within
//! [`MAX_SIDE`] pixels, and encoded as lossy WebP, with narrower variants for `srcset`.
//!
//! The contract with the storefront: an image named `<name>` is stored under
//! `stores/<store_id>/media/<name>.webp` (the main rendition) and `<name>-480.webp`,
//! `<name>-800.webp`, `<name>-960.webp` (the variants), and published as `/media/<name>.webp`. Pure: bytes in,
//! bytes out.

use image::imageops::FilterType;
use image::{DynamicImage, GenericImageView, ImageReader, Limits};
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// The longest side kept.
pub const MAX_SIDE: u32 = 2_000;
/// The widths of the variants, for `srcset`. 800 is what a phone's full-width image needs at
/// a device pixel ratio under 2 (a 412 px wide screen at 1.75 takes 721 px).
pub const VARIANT_WIDTHS: [u32; 3] = [480, 800, 960];
/// Lossy WebP quality, 0 to 100.
const QUALITY: f32 = 80.0;
/// The largest image decoded, in pixels: a guard against decompression bombs.
const MAX_PIXELS: u64 = 40_000_000;

/// Why an image could not be used.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Not an image in a supported format, or damaged.
    #[error("not a readable JPEG, PNG or WebP image: {0}")]
    Unreadable(String),
    /// Too many pixels to decode safely.
    #[error("the image has {0} pixels, more than the {MAX_PIXELS} allowed")]
    TooLarge(u64),
    /// The encoder refused it.
    #[error("WebP encoding failed: {0}")]
    Encoding(String),
}

/// One encoded rendition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendition {
    /// What follows the name in the key: `""`, `"-480"`, `"-800"` or `"-960"`.
    pub suffix: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The WebP file.
    pub webp: Vec<u8>,
}

/// The name an image is stored under: derived from where it came from, so a retried import
/// writes the same keys.
pub fn media_name(source_url: &str) -> String {
    hex::encode(&Sha256::digest(source_url.as_bytes())[..12])
}

/// Where a rendition is stored.
pub fn key(store_id: &str, name: &str, suffix: &str) -> String {
    format!("stores/{store_id}/media/{name}{suffix}.webp")
}

/// The URL the product is published with.
pub fn published_url(name: &str) -> String {
    format!("/media/{name}.webp")
}

/// Decodes `bytes` and returns the main rendition (at most [`MAX_SIDE`] on its longest side)
/// followed by one per [`VARIANT_WIDTHS`] (never wider than the main one).
pub fn renditions(bytes: &[u8]) -> Result<Vec<Rendition>, MediaError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| MediaError::Unreadable(e.to_string()))?;
    let (width, height) = reader.into_dimensions().map_err(|e| MediaError::Unreadable(e.to_string()))?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(MediaError::TooLarge(pixels));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| MediaError::Unreadable(e.to_string()))?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 + 1_024);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| MediaError::Unreadable(e.to_string()))?;
    let main = fit(&image, MAX_SIDE, MAX_SIDE);
    let mut out = vec![encode(&main, String::new())?];
    for width in VARIANT_WIDTHS {
        let variant = fit(&main, width, u32::MAX);
        out.push(encode(&variant, format!("-{width}"))?);
    }
    Ok(out)
}

/// The image scaled down (never up) to fit `max_width` by `max_height`, keeping its proportions.
fn fit(image: &DynamicImage, max_width: u32, max_height: u32) -> DynamicImage {
    let (width, height) = image.dimensions();
    if width <= max_width && height <= max_height {
        return image.clone();
    }
    image.resize(max_width, max_height, FilterType::Triangle)
}

fn encode(image: &DynamicImage, suffix: String) -> Result<Rendition, MediaError> {
    let (width, height) = image.dimensions();
    // libwebp takes RGB or RGBA; keep the alpha channel only when the image has one.
    let encoded = if image.color().has_alpha() {
        let rgba = image.to_rgba8();
        webp::Encoder::from_rgba(rgba.as_raw(), width, height).encode_simple(false, QUALITY)
    } else {
        let rgb = image.to_rgb8();
        webp::Encoder::from_rgb(rgb.as_raw(), width, height).encode_simple(false, QUALITY)
    }
    .map_err(|e| MediaError::Encoding(format!("{e:?}")))?;
    Ok(Rendition { suffix, width, height, webp: encoded.to_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = RgbImage::from_fn(width, height, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn webp_size(bytes: &[u8]) -> (u32, u32) {
        assert_eq!(&bytes[..4], b"RIFF");
        assert_eq!(&bytes[8..12], b"WEBP");
        image::load_from_memory_with_format(bytes, ImageFormat::WebP).unwrap().dimensions()
    }

    #[test]
    fn a_large_image_is_fitted_within_2000_px_with_480_800_and_960_variants() {
        let out = renditions(&png(2_400, 1_600)).unwrap();
        let sizes: Vec<(&str, u32, u32)> =
            out.iter().map(|r| (r.suffix.as_str(), r.width, r.height)).collect();
        assert_eq!(
            sizes,
            vec![("", 2_000, 1_333), ("-480", 480, 320), ("-800", 800, 533), ("-960", 960, 640)]
        );
        for rendition in &out {
            assert_eq!(webp_size(&rendition.webp), (rendition.width, rendition.height));
        }
        assert_eq!(&out[0].webp[12..16], b"VP8 ", "lossy WebP");
    }

    #[test]
    fn a_small_image_is_never_enlarged() {
        let out = renditions(&png(300, 200)).unwrap();
        assert!(out.iter().all(|r| (r.width, r.height) == (300, 200)));
    }

    #[test]
    fn transparency_is_kept() {
        let image = RgbaImage::from_pixel(64, 64, Rgba([10, 20, 30, 0]));
        let mut bytes = Cursor::new(Vec::new());
        image.write_to(&mut bytes, ImageFormat::Png).unwrap();
        let out = renditions(bytes.get_ref()).unwrap();
        let decoded = image::load_from_memory(&out[0].webp).unwrap();
        assert!(decoded.color().has_alpha());
    }

    #[test]
    fn text_is_not_an_image_and_a_bomb_is_refused_before_decoding() {
        assert!(matches!(renditions(b"<html>not an image</html>"), Err(MediaError::Unreadable(_))));
        // A PNG header claiming 100,000 x 100,000 pixels.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(matches!(renditions(&bomb), Err(MediaError::TooLarge(_)) | Err(MediaError::Unreadable(_))));
    }

    #[test]
    fn names_and_keys_follow_the_storefront_contract() {
        let name = media_name("https://ae01.alicdn.com/kf/S1.jpg");
        assert_eq!(name.len(), 24);
        assert_eq!(name, media_name("https://ae01.alicdn.com/kf/S1.jpg"));
        assert_eq!(key("s1", &name, "-480"), format!("stores/s1/media/{name}-480.webp"));
        assert_eq!(published_url(&name), format!("/media/{name}.webp"));
    }
}
