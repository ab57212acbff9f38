//! Chợ OCOP: a shim that hands the command line to `server::cli`.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = server::cli::run(args).await;
    std::process::exit(code);
}
