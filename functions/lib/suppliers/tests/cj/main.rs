//! The CJ client against the CJ stand-in (`local/fixtures/cj_server.py`), over real HTTP: one
//! order per `orderNumber` although CJ does not refuse a repeat, tokens refreshed when CJ
//! expires them, a revoked account answered as a refusal, and an order's detail as it ships.

use secrecy::SecretString;
use serde_json::json;
use std::process::Command;
use suppliers::cj::{Cj, OrderProduct, PlaceOrder, Placement, TrackingAnswer};
use test_servers::{free_port, Server};

const KEY: &str = "CJ1234567@api@0123456789abcdef";

/// The stand-in on a free port; its script is found at run time (see `tests/feed`).
fn stand_in() -> Server {
    let script =
        format!("{}/../../../local/fixtures/cj_server.py", std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let port = free_port();
    let mut command = Command::new("python3");
    command.arg(script).arg(port.to_string()).arg(KEY);
    Server::spawn(command, "the CJ stand-in", "/health", port)
}

fn client(server: &Server, key: &str) -> Cj {
    Cj::new(
        pipeline::edge::EdgeClient::http_client(),
        &format!("{}/api2.0/v1", server.url),
        SecretString::from(key.to_owned()),
        "CJPacket Ordinary",
        "CN",
    )
}

fn order(number: &str, vid: &str) -> PlaceOrder {
    PlaceOrder {
        order_number: number.into(),
        shipping_country_code: "US".into(),
        shipping_country: "United States".into(),
        shipping_province: "IL".into(),
        shipping_city: "Springfield".into(),
        shipping_address: "1 Main Street".into(),
        shipping_address2: None,
        shipping_customer_name: "Ada Lovelace".into(),
        shipping_zip: "62701".into(),
        shipping_phone: "+1 555 010 0199".into(),
        logistic_name: String::new(),
        from_country_code: String::new(),
        pay_type: 2,
        products: vec![OrderProduct {
            vid: vid.into(),
            quantity: 1,
            store_line_item_id: format!("{number}-0"),
        }],
    }
}

#[tokio::test]
async fn an_order_number_is_placed_once_and_its_detail_follows_the_shipment() {
    let server = stand_in();
    let cj = client(&server, KEY);
    let Placement::Placed(first) = cj.place_order(&order("o1-cj", "V-LAMP")).await.unwrap() else {
        panic!("placed")
    };
    assert_eq!(cj.place_order(&order("o1-cj", "V-LAMP")).await.unwrap(), Placement::Placed(first.clone()));
    let kept = server.get("/_test/orders?orderNumber=o1-cj").await;
    assert_eq!(kept["orders"].as_array().unwrap().len(), 1, "{kept}");
    assert_eq!(kept["orders"][0]["request"]["logisticName"], "CJPacket Ordinary");
    assert_eq!(kept["orders"][0]["request"]["fromCountryCode"], "CN");
    assert_eq!(server.get("/_test/token").await["issued"], 1, "one token for the client's life");

    let TrackingAnswer::Tracked(placed) = cj.tracking(&first).await.unwrap() else { panic!("tracked") };
    assert_eq!((placed.status, placed.number), (Some("placed"), None));
    server.post("/_test/clock", &json!({"advance_hours": 25})).await;
    let TrackingAnswer::Tracked(shipped) = cj.tracking(&first).await.unwrap() else { panic!("tracked") };
    assert_eq!(shipped.status, Some("shipped"));
    assert!(shipped.number.as_deref().is_some_and(|n| n.starts_with("CJPKL")), "{shipped:?}");
    assert!(
        matches!(cj.tracking("1").await.unwrap(), TrackingAnswer::Refused(r) if r.starts_with("1603100"))
    );
}

#[tokio::test]
async fn an_expired_token_is_refreshed_and_a_revoked_account_is_a_refusal() {
    let server = stand_in();
    let cj = client(&server, KEY);
    assert!(matches!(cj.place_order(&order("o2-cj", "V-LAMP")).await.unwrap(), Placement::Placed(_)));
    server.post("/_test/token", &json!({"access_expired": true})).await;
    assert!(matches!(cj.place_order(&order("o3-cj", "V-LAMP")).await.unwrap(), Placement::Placed(_)));
    assert_eq!(server.get("/_test/token").await["refreshed"], 1);
    server.post("/_test/token", &json!({"refresh_expired": true})).await;
    assert!(matches!(cj.place_order(&order("o4-cj", "V-LAMP")).await.unwrap(), Placement::Placed(_)));
    server.post("/_test/token", &json!({"key_revoked": true})).await;
    let refused = cj.place_order(&order("o5-cj", "V-LAMP")).await.unwrap();
    assert!(matches!(&refused, Placement::Refused(r) if r.starts_with("1600004")), "{refused:?}");
    server.post("/_test/token", &json!({"key_revoked": false})).await;
    server.post("/_test/variants/V-OUT", &json!({"stock": 0})).await;
    let sold_out = cj.place_order(&order("o6-cj", "V-OUT")).await.unwrap();
    assert!(matches!(&sold_out, Placement::Refused(r) if r.starts_with("1603000")), "{sold_out:?}");
    let wrong_key = client(&server, "CJ0@api@wrong").place_order(&order("o7-cj", "V-LAMP")).await.unwrap();
    assert!(matches!(&wrong_key, Placement::Refused(r) if r.starts_with("1600004")), "{wrong_key:?}");
}
