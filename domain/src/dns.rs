//! Just enough of the DNS wire format (RFC 1035) to ask a DNS-over-HTTPS resolver (RFC 8484) for
//! the TXT records that prove a merchant owns a custom domain.

/// Days a custom domain may wait for its TXT record: an unverified claim older than this is
/// released, so nobody can hold a brand's domain by adding it and never proving it.
pub const PENDING_DOMAIN_DAYS: i64 = 7;

/// Hours between the checks that a verified custom domain still carries its TXT record.
pub const RECHECK_HOURS: i64 = 24;

/// Days a verified custom domain may go without its TXT record, found missing at every check,
/// before it is released: someone else may own the domain now.
pub const MISSING_RECORD_DAYS: i64 = 3;

/// The record type TXT.
const TYPE_TXT: u16 = 16;
/// The class IN.
const CLASS_IN: u16 = 1;

/// A DNS answer that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DnsError {
    /// The name cannot be put in a query.
    #[error("`{0}` is not a valid DNS name")]
    Name(String),
    /// The answer is cut short or malformed.
    #[error("malformed DNS answer")]
    Malformed,
    /// The resolver answered with an error code (2: server failure, 3: no such name, ...).
    #[error("DNS error code {0}")]
    Rcode(u8),
    /// The answer is for another query.
    #[error("DNS answer id does not match the query")]
    Id,
}

/// The TXT query for `name`, with a caller-chosen id, recursion desired.
pub fn txt_query(name: &str, id: u16) -> Result<Vec<u8>, DnsError> {
    let mut out = Vec::with_capacity(32 + name.len());
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&[0x01, 0x00]); // RD
    out.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // one question
    for label in name.trim_end_matches('.').split('.') {
        if label.is_empty()
            || label.len() > 63
            || !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(DnsError::Name(name.chars().take(80).collect()));
        }
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    out.extend_from_slice(&TYPE_TXT.to_be_bytes());
    out.extend_from_slice(&CLASS_IN.to_be_bytes());
    Ok(out)
}

fn read_u16(bytes: &[u8], at: usize) -> Result<u16, DnsError> {
    bytes.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]])).ok_or(DnsError::Malformed)
}

/// Skips a possibly compressed name starting at `at`; returns the offset after it.
fn skip_name(bytes: &[u8], mut at: usize) -> Result<usize, DnsError> {
    loop {
        let len = *bytes.get(at).ok_or(DnsError::Malformed)?;
        match len {
            0 => return Ok(at + 1),
            l if l & 0xC0 == 0xC0 => return Ok(at + 2),
            l if l & 0xC0 == 0 => at += 1 + usize::from(l),
            _ => return Err(DnsError::Malformed),
        }
    }
}

/// The TXT strings of every TXT answer record, each record's character-strings joined.
pub fn txt_answers(bytes: &[u8], id: u16) -> Result<Vec<String>, DnsError> {
    if read_u16(bytes, 0)? != id {
        return Err(DnsError::Id);
    }
    let rcode = bytes.get(3).ok_or(DnsError::Malformed)? & 0x0F;
    if rcode != 0 {
        return Err(DnsError::Rcode(rcode));
    }
    let questions = read_u16(bytes, 4)?;
    let answers = read_u16(bytes, 6)?;
    let mut at = 12;
    for _ in 0..questions {
        at = skip_name(bytes, at)? + 4;
    }
    let mut texts = Vec::new();
    for _ in 0..answers {
        at = skip_name(bytes, at)?;
        let kind = read_u16(bytes, at)?;
        let len = usize::from(read_u16(bytes, at + 8)?);
        let start = at + 10;
        let rdata = bytes.get(start..start + len).ok_or(DnsError::Malformed)?;
        if kind == TYPE_TXT {
            let mut text = Vec::new();
            let mut i = 0;
            while i < rdata.len() {
                let n = usize::from(rdata[i]);
                text.extend_from_slice(rdata.get(i + 1..i + 1 + n).ok_or(DnsError::Malformed)?);
                i += 1 + n;
            }
            texts.push(String::from_utf8_lossy(&text).into_owned());
        }
        at = start + len;
    }
    Ok(texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(id: u16, name: &str, texts: &[&[&str]], rcode: u8) -> Vec<u8> {
        let query = txt_query(name, id).unwrap();
        let mut out = query.clone();
        out[2] = 0x81;
        out[3] = 0x80 | rcode;
        out[6..8].copy_from_slice(&(texts.len() as u16).to_be_bytes());
        for strings in texts {
            out.extend_from_slice(&[0xC0, 12]); // pointer to the question name
            out.extend_from_slice(&TYPE_TXT.to_be_bytes());
            out.extend_from_slice(&CLASS_IN.to_be_bytes());
            out.extend_from_slice(&300u32.to_be_bytes());
            let rdata: Vec<u8> =
                strings.iter().flat_map(|s| std::iter::once(s.len() as u8).chain(s.bytes())).collect();
            out.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
            out.extend_from_slice(&rdata);
        }
        out
    }

    #[test]
    fn a_txt_query_encodes_the_name_as_labels() {
        let q = txt_query("_dropship-challenge.shop.example", 0xBEEF).unwrap();
        assert_eq!(&q[..2], &[0xBE, 0xEF]);
        assert_eq!(q[12], 19);
        assert_eq!(&q[13..32], b"_dropship-challenge");
        assert_eq!(&q[q.len() - 4..], &[0, 16, 0, 1]);
    }

    #[test]
    fn txt_answers_are_read_through_name_compression_and_joined() {
        let bytes = answer(7, "_c.shop.example", &[&["dropship-verify=", "abc"], &["v=spf1 -all"]], 0);
        assert_eq!(txt_answers(&bytes, 7).unwrap(), vec!["dropship-verify=abc", "v=spf1 -all"]);
    }

    #[test]
    fn error_codes_mismatched_ids_and_truncation_are_refused() {
        assert_eq!(txt_answers(&answer(7, "x.example", &[], 3), 7), Err(DnsError::Rcode(3)));
        assert_eq!(txt_answers(&answer(7, "x.example", &[], 0), 8), Err(DnsError::Id));
        let full = answer(7, "x.example", &[&["abc"]], 0);
        assert_eq!(txt_answers(&full[..full.len() - 2], 7), Err(DnsError::Malformed));
        assert!(txt_query("bad name.example", 1).is_err());
    }
}
