mod net;
use crate::net::connect;

fn main() {
    let c = connect();
    println!("{}", c.port);
}
