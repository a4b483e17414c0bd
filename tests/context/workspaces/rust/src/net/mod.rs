pub const PORT: u16 = 8080;

pub struct Conn {
    pub port: u16,
}

impl Conn {
    pub fn open(port: u16) -> Conn {
        Conn { port }
    }
}

pub fn connect() -> Conn {
    Conn::open(PORT)
}
