//! The real binary in a pseudo-terminal: from the overview to a remediation snippet and
//! back, then quit with the terminal's modes and main screen restored.
//!
//! The screen is read with a terminal emulator (`vt100`) and polled until the expected text
//! appears, so the test waits exactly as long as the program needs and no longer.

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};

const BUNDLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/evidence/v1.json"
);
const PATIENCE: Duration = Duration::from_secs(20);

struct Session {
    parser: vt100::Parser,
    bytes: Vec<u8>,
    output: mpsc::Receiver<Vec<u8>>,
    input: Box<dyn Write + Send>,
}

impl Session {
    /// Reads what the program wrote until the screen contains `text`.
    fn wait_for(&mut self, text: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let screen = self.parser.screen().contents();
            if screen.contains(text) {
                return screen;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "`{text}` never appeared; the screen:\n{screen}"
            );
            if let Ok(chunk) = self
                .output
                .recv_timeout(left.min(Duration::from_millis(200)))
            {
                self.parser.process(&chunk);
                self.bytes.extend(chunk);
            }
        }
    }

    fn send(&mut self, keys: &str) {
        self.input
            .write_all(keys.as_bytes())
            .expect("write to the terminal");
        self.input.flush().expect("flush");
    }

    /// Collects the rest of the output until the program closes the terminal.
    fn drain(&mut self) {
        while let Ok(chunk) = self.output.recv_timeout(Duration::from_secs(5)) {
            self.parser.process(&chunk);
            self.bytes.extend(chunk);
        }
    }

    fn output_contains(&self, sequence: &str) -> bool {
        self.bytes
            .windows(sequence.len())
            .any(|w| w == sequence.as_bytes())
    }
}

/// The terminal's line discipline flags, as text (ICANON and ECHO are off in raw mode).
fn local_flags(master: &dyn MasterPty) -> String {
    format!("{:?}", master.get_termios().map(|t| t.local_flags))
}

#[test]
fn overview_to_snippet_and_back_then_quit_restores_the_terminal() {
    let home = tempfile::tempdir().expect("home");
    let work = tempfile::tempdir().expect("work dir");
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("open a pseudo-terminal");

    // Nothing from the machine may reach the screen: no cluster, daemon, token or config.
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_rampart"));
    command.args(["--evidence", BUNDLE]);
    command.cwd(work.path());
    command.env_clear();
    command.env("HOME", home.path());
    command.env("XDG_CONFIG_HOME", home.path().join(".config"));
    command.env("KUBECONFIG", home.path().join("no-kubeconfig"));
    command.env("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    command.env("TERM", "xterm-256color");
    command.env("PATH", "/usr/bin:/bin");

    let cooked = local_flags(pty.master.as_ref());
    assert!(cooked.contains("ICANON"), "{cooked}");
    let mut child = pty.slave.spawn_command(command).expect("spawn rampart");
    drop(pty.slave);

    let mut reader = pty.master.try_clone_reader().expect("reader");
    let (tx, output) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut session = Session {
        parser: vt100::Parser::new(
            std::num::NonZeroU16::new(24).expect("rows"),
            std::num::NonZeroU16::new(80).expect("columns"),
            0,
        ),
        bytes: Vec::new(),
        output,
        input: pty.master.take_writer().expect("writer"),
    };

    // Overview: tiles, the overall grade and the source line.
    let screen = session.wait_for("files  connected");
    assert!(screen.contains("overall F "), "{screen}");
    assert!(session.parser.screen().alternate_screen());
    let raw = local_flags(pty.master.as_ref());
    assert!(
        !raw.contains("ICANON"),
        "the interface runs in raw mode: {raw}"
    );

    // Containers → its findings → the critical finding's detail → its snippet.
    session.send("l\r");
    session.wait_for("SEVERITY ID");
    session.send("\r");
    session.wait_for("Why it matters");
    session.send(&"j".repeat(14));
    session.wait_for("allowPrivilegeEscalation: false");
    session.send("y");
    session.wait_for("copied the yaml snippet of CTR-010");
    assert!(
        session.output_contains("\u{1b}]52;c;"),
        "no OSC 52 sequence was written"
    );

    // Back out, export the report, quit.
    session.send("\u{1b}");
    session.wait_for("SEVERITY ID");
    session.send("\u{1b}");
    session.wait_for("files  connected");
    session.send("e");
    session.wait_for("wrote the markdown report");
    session.send("q");
    session.drain();

    let status = child.wait().expect("wait for rampart");
    assert!(status.success(), "{status:?}");
    assert!(work.path().join("rampart-report.md").is_file());
    assert!(
        session.output_contains("\u{1b}[?1049l"),
        "the main screen was not restored"
    );
    assert!(
        session.output_contains("\u{1b}[?25h"),
        "the cursor was not shown again"
    );
    assert!(
        session.output_contains("\u{1b}[?1000l"),
        "mouse reporting was left on"
    );
    assert!(!session.parser.screen().alternate_screen());
    assert_eq!(
        local_flags(pty.master.as_ref()),
        cooked,
        "raw mode was not undone"
    );
}
