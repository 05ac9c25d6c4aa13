//! A product's images, made the storefront's: each supplier image is downloaded through the
//! scraper's guarded fetcher, turned into WebP renditions ([`crate::media`]) and stored in S3 under
//! the store's prefix; the product is published with the `/media/<name>.webp` URLs.

use crate::media::{self, key, media_name, published_url, Rendition};
use anyhow::Context;
use aws_sdk_s3::primitives::ByteStream;
use scraper::Fetcher;
use std::future::Future;

/// Images of one product processed at most: the rest of a supplier's gallery is left out.
pub const MAX_IMAGES: usize = 4;
/// The largest image downloaded.
const MAX_IMAGE_BYTES: usize = 15 * 1024 * 1024;

/// Where renditions are stored.
pub trait MediaStore: Send + Sync {
    /// Stores one rendition under `key`.
    fn put(&self, key: &str, webp: Vec<u8>) -> impl Future<Output = anyhow::Result<()>> + Send;
}

/// The pipelines' bucket.
#[derive(Debug, Clone)]
pub struct S3Media {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3Media {
    /// Renditions in `bucket`.
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Self {
        Self { client, bucket: bucket.into() }
    }
}

impl MediaStore for S3Media {
    async fn put(&self, key: &str, webp: Vec<u8>) -> anyhow::Result<()> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type("image/webp")
            // The name is derived from the source image, so the object never changes.
            .cache_control("public, max-age=31536000, immutable")
            .body(ByteStream::from(webp))
            .send()
            .await
            .with_context(|| format!("storing {key}"))?;
        Ok(())
    }
}

/// Downloads, converts and stores the first [`MAX_IMAGES`] of `sources`, returning the URLs to
/// publish, in order. An image that cannot be fetched or read is left out (and logged); storing
/// failures fail the whole call, so that the import is retried. Renditions are written under
/// names derived from the source URLs, so a retry overwrites the same objects.
pub async fn publish_images<S: MediaStore>(
    fetcher: &Fetcher,
    store: &S,
    store_id: &str,
    sources: &[String],
) -> anyhow::Result<Vec<String>> {
    let mut published = Vec::new();
    for source in sources.iter().take(MAX_IMAGES) {
        let renditions = match fetch_and_convert(fetcher, source).await {
            Ok(renditions) => renditions,
            Err(error) => {
                tracing::warn!(image = %source, error = format!("{error:#}"), "image left out");
                continue;
            }
        };
        let name = media_name(source);
        for Rendition { suffix, webp, .. } in renditions {
            store.put(&key(store_id, &name, &suffix), webp).await?;
        }
        published.push(published_url(&name));
    }
    Ok(published)
}

async fn fetch_and_convert(fetcher: &Fetcher, source: &str) -> anyhow::Result<Vec<Rendition>> {
    let (bytes, _) = fetcher.fetch_bytes(source, MAX_IMAGE_BYTES).await.context("downloading")?;
    // Decoding and encoding are CPU work: off the async workers.
    let renditions =
        tokio::task::spawn_blocking(move || media::renditions(&bytes)).await.context("converting")??;
    Ok(renditions)
}
