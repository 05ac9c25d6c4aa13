//! A shopper's cart as the storefront keeps it (in a signed cookie, never in the database): lines
//! of product, variant and quantity, with the rules for adding, changing and pricing them.
//!
//! Prices are never part of the cart: they are read when the cart is shown and checked again
//! against the database when checkout starts, so a cart cannot carry a stale or forged price.

use crate::Money;

/// Lines a cart holds at most (it must fit in one cookie).
pub const MAX_LINES: usize = 20;
/// Units of one line at most.
pub const MAX_QUANTITY: u32 = 99;

/// One line: a product (and its variant, when it has variants) and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    /// The product's id.
    pub product_id: String,
    /// The chosen variant's id, if the product has variants.
    pub variant_id: Option<String>,
    /// How many, 1 to [`MAX_QUANTITY`].
    pub quantity: u32,
}

/// A cart: an id (for the abandoned-cart flow) and its lines.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cart {
    /// Random id chosen when the cart was first filled; alphanumeric, 8 to 64 characters.
    pub id: String,
    /// What is in it, in the order it was added.
    pub lines: Vec<CartLine>,
}

fn is_id(text: &str) -> bool {
    (1..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl Cart {
    /// An empty cart with this id.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into(), lines: Vec::new() }
    }

    /// Reads the compact form written by [`Cart::encode`]; `None` when it is not one.
    pub fn decode(text: &str) -> Option<Self> {
        let (id, lines) = text.split_once('|')?;
        if !is_id(id) || id.len() < 8 {
            return None;
        }
        let mut cart = Cart::new(id);
        for item in lines.split(',').filter(|s| !s.is_empty()) {
            let (ids, quantity) = item.split_once('*')?;
            let quantity: u32 = quantity.parse().ok().filter(|q| (1..=MAX_QUANTITY).contains(q))?;
            let (product_id, variant_id) = match ids.split_once('~') {
                Some((p, v)) => (p, Some(v)),
                None => (ids, None),
            };
            if !is_id(product_id) || variant_id.is_some_and(|v| !is_id(v)) {
                return None;
            }
            cart.lines.push(CartLine {
                product_id: product_id.to_owned(),
                variant_id: variant_id.map(str::to_owned),
                quantity,
            });
        }
        (cart.lines.len() <= MAX_LINES).then_some(cart)
    }

    /// The compact form: `id|product~variant*qty,product*qty`.
    pub fn encode(&self) -> String {
        let lines: Vec<String> = self
            .lines
            .iter()
            .map(|l| match &l.variant_id {
                Some(v) => format!("{}~{v}*{}", l.product_id, l.quantity),
                None => format!("{}*{}", l.product_id, l.quantity),
            })
            .collect();
        format!("{}|{}", self.id, lines.join(","))
    }

    /// Adds units of a product (variant); the same product and variant share one line. Quantities
    /// are capped at [`MAX_QUANTITY`]; a new line beyond [`MAX_LINES`] is refused.
    pub fn add(
        &mut self,
        product_id: &str,
        variant_id: Option<&str>,
        quantity: u32,
    ) -> Result<(), CartError> {
        if !is_id(product_id) || variant_id.is_some_and(|v| !is_id(v)) {
            return Err(CartError::UnknownItem);
        }
        if quantity == 0 {
            return Err(CartError::Quantity);
        }
        if let Some(line) = self
            .lines
            .iter_mut()
            .find(|l| l.product_id == product_id && l.variant_id.as_deref() == variant_id)
        {
            line.quantity = (line.quantity + quantity).min(MAX_QUANTITY);
            return Ok(());
        }
        if self.lines.len() >= MAX_LINES {
            return Err(CartError::Full);
        }
        self.lines.push(CartLine {
            product_id: product_id.to_owned(),
            variant_id: variant_id.map(str::to_owned),
            quantity: quantity.min(MAX_QUANTITY),
        });
        Ok(())
    }

    /// Sets the quantity of line `index` (0-based); 0 removes it. An unknown line changes nothing.
    pub fn set_quantity(&mut self, index: usize, quantity: u32) {
        if index >= self.lines.len() {
            return;
        }
        if quantity == 0 {
            self.lines.remove(index);
        } else {
            self.lines[index].quantity = quantity.min(MAX_QUANTITY);
        }
    }

    /// Units in the cart.
    pub fn units(&self) -> u32 {
        self.lines.iter().map(|l| l.quantity).sum()
    }
}

/// Why a cart change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CartError {
    /// The product or variant id is malformed.
    #[error("that item cannot be added")]
    UnknownItem,
    /// Zero or too many units.
    #[error("choose a quantity from 1 to {MAX_QUANTITY}")]
    Quantity,
    /// The cart has [`MAX_LINES`] lines.
    #[error("the cart is full ({MAX_LINES} different items)")]
    Full,
}

/// The total of priced lines (unit price times quantity), or `None` when lines are in several
/// currencies or the sum overflows.
pub fn total(lines: &[(Money, u32)]) -> Option<Money> {
    let currency = lines.first()?.0.currency;
    let mut minor: i64 = 0;
    for (price, quantity) in lines {
        if price.currency != currency {
            return None;
        }
        minor = minor.checked_add(price.minor.checked_mul(i64::from(*quantity))?)?;
    }
    Some(Money::from_minor(minor, currency))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    const P: &str = "0b6f2c1e-8a43-4c5e-9f1a-3d2b7c6e5a41";
    const V: &str = "7d1e9a2b-3c4f-4a5b-8c6d-9e0f1a2b3c4d";

    #[test]
    fn a_cart_survives_its_compact_form() {
        let mut cart = Cart::new("cart12345678");
        cart.add(P, Some(V), 2).unwrap();
        cart.add(P, None, 1).unwrap();
        let text = cart.encode();
        assert_eq!(text, format!("cart12345678|{P}~{V}*2,{P}*1"));
        assert_eq!(Cart::decode(&text), Some(cart));
        assert_eq!(Cart::decode("cart12345678|"), Some(Cart::new("cart12345678")));
    }

    #[test]
    fn malformed_carts_are_not_read() {
        for text in [
            "",
            "short|",
            "cart12345678",
            "cart12345678|p*0",
            "cart12345678|p*100",
            "cart12345678|<x>*1",
            "cart12345678|p",
        ] {
            assert_eq!(Cart::decode(text), None, "{text}");
        }
    }

    #[test]
    fn adding_the_same_item_again_raises_its_quantity_up_to_the_cap() {
        let mut cart = Cart::new("cart12345678");
        cart.add(P, Some(V), 60).unwrap();
        cart.add(P, Some(V), 60).unwrap();
        assert_eq!(cart.lines.len(), 1);
        assert_eq!(cart.lines[0].quantity, MAX_QUANTITY);
        assert_eq!(cart.add(P, None, 0), Err(CartError::Quantity));
    }

    #[test]
    fn a_full_cart_refuses_a_new_line_but_not_more_of_an_old_one() {
        let mut cart = Cart::new("cart12345678");
        for i in 0..MAX_LINES {
            cart.add(&format!("p{i}"), None, 1).unwrap();
        }
        assert_eq!(cart.add("another", None, 1), Err(CartError::Full));
        assert_eq!(cart.add("p0", None, 1), Ok(()));
    }

    #[test]
    fn a_zero_quantity_removes_the_line() {
        let mut cart = Cart::new("cart12345678");
        cart.add("a", None, 1).unwrap();
        cart.add("b", None, 3).unwrap();
        cart.set_quantity(0, 0);
        cart.set_quantity(7, 5);
        assert_eq!(cart.lines.len(), 1);
        assert_eq!(cart.units(), 3);
    }

    #[test]
    fn totals_are_exact_in_minor_units_and_refuse_mixed_currencies() {
        let usd = |m| Money::from_minor(m, Currency::Usd);
        assert_eq!(total(&[(usd(1999), 3), (usd(1), 1)]), Some(usd(5998)));
        assert_eq!(total(&[(usd(1), 1), (Money::from_minor(1, Currency::Eur), 1)]), None);
        assert_eq!(total(&[(usd(i64::MAX), 2)]), None);
        assert_eq!(total(&[]), None);
    }
}
