// SPDX-License-Identifier: MIT OR Apache-2.0
//! Static archives and ELF objects, read and written by build.rs itself.
//!
//! Writing the archive here (rather than calling `ar`) means a firmware build
//! needs only a C compiler: Debian's clang comes without `llvm-ar`, and a
//! host `ar` may not index Arm objects. The archive is deterministic by
//! construction (members sorted by name, every date, owner and mode fixed),
//! which the committed prebuilt archives rely on.
//!
//! Reading it back lets build.rs check that an archive fits the Rust target
//! (Arm build attributes of each member) without `readelf`, whose output
//! differs between binutils and LLVM.
use std::convert::TryInto;

/// One ELF object's facts that build.rs needs.
pub struct ObjectInfo {
    /// Global and weak symbols the object defines (the archive's index).
    pub defined: Vec<String>,
    /// Symbols the object uses and does not define (the functions a configuration
    /// asks the firmware for).
    pub undefined: Vec<String>,
    /// `.ARM.attributes` of the object, when it has them.
    pub arm: Option<ArmAttributes>,
    /// ELF machine (`e_machine`): 40 is Arm, 62 x86-64.
    pub machine: u16,
}

/// The two build attributes that decide whether objects link together.
pub struct ArmAttributes {
    /// `Tag_CPU_arch` as its architecture name (`v7E-M`, ...).
    pub cpu_arch: String,
    /// `Tag_ABI_VFP_args` is 1: floats are passed in VFP registers.
    pub hard_float: bool,
}

/// A reader over an ELF file of either class and byte order.
struct Elf<'a> {
    data: &'a [u8],
    is64: bool,
    little: bool,
}

impl<'a> Elf<'a> {
    fn new(data: &'a [u8]) -> Option<Elf<'a>> {
        if data.len() < 52 || &data[..4] != b"\x7fELF" {
            return None;
        }
        let is64 = match data[4] {
            1 => false,
            2 => true,
            _ => return None,
        };
        let little = match data[5] {
            1 => true,
            2 => false,
            _ => return None,
        };
        Some(Elf { data, is64, little })
    }

    fn bytes(&self, at: usize, n: usize) -> Option<&'a [u8]> {
        self.data.get(at..at.checked_add(n)?)
    }

    fn u16(&self, at: usize) -> Option<u16> {
        let b: [u8; 2] = self.bytes(at, 2)?.try_into().ok()?;
        Some(if self.little { u16::from_le_bytes(b) } else { u16::from_be_bytes(b) })
    }

    fn u32(&self, at: usize) -> Option<u32> {
        let b: [u8; 4] = self.bytes(at, 4)?.try_into().ok()?;
        Some(if self.little { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
    }

    fn u64(&self, at: usize) -> Option<u64> {
        let b: [u8; 8] = self.bytes(at, 8)?.try_into().ok()?;
        Some(if self.little { u64::from_le_bytes(b) } else { u64::from_be_bytes(b) })
    }

    /// A word of the class's size (addresses, offsets, section sizes).
    fn word(&self, at: usize) -> Option<usize> {
        if self.is64 {
            self.u64(at)?.try_into().ok()
        } else {
            Some(self.u32(at)? as usize)
        }
    }

    /// (type, link, offset, size, entry size) of each section.
    fn sections(&self) -> Option<Vec<(u32, u32, usize, usize, usize)>> {
        let (shoff, shentsize, shnum) = if self.is64 {
            (self.word(0x28)?, self.u16(0x3a)? as usize, self.u16(0x3c)? as usize)
        } else {
            (self.word(0x20)?, self.u16(0x2e)? as usize, self.u16(0x30)? as usize)
        };
        (0..shnum)
            .map(|i| {
                let h = shoff.checked_add(i.checked_mul(shentsize)?)?;
                if self.is64 {
                    Some((
                        self.u32(h + 4)?,
                        self.u32(h + 40)?,
                        self.word(h + 24)?,
                        self.word(h + 32)?,
                        self.word(h + 56)?,
                    ))
                } else {
                    Some((
                        self.u32(h + 4)?,
                        self.u32(h + 24)?,
                        self.word(h + 16)?,
                        self.word(h + 20)?,
                        self.word(h + 36)?,
                    ))
                }
            })
            .collect()
    }
}

const SHT_SYMTAB: u32 = 2;
const SHT_ARM_ATTRIBUTES: u32 = 0x7000_0003;

/// What build.rs needs of one object; `None` if it is not a well-formed ELF file.
pub fn object_info(data: &[u8]) -> Option<ObjectInfo> {
    let elf = Elf::new(data)?;
    let machine = elf.u16(0x12)?;
    let sections = elf.sections()?;
    let mut defined = Vec::new();
    let mut undefined = Vec::new();
    let mut arm = None;
    for &(kind, link, offset, size, entsize) in &sections {
        if kind == SHT_SYMTAB {
            let &(_, _, str_off, str_size, _) = sections.get(link as usize)?;
            let strtab = elf.bytes(str_off, str_size)?;
            let entsize = if entsize == 0 { if elf.is64 { 24 } else { 16 } } else { entsize };
            // Entry 0 is the null symbol.
            for i in 1..size / entsize {
                let s = offset + i * entsize;
                let (name, info, shndx) = if elf.is64 {
                    (elf.u32(s)?, *elf.bytes(s + 4, 1)?.first()?, elf.u16(s + 6)?)
                } else {
                    (elf.u32(s)?, *elf.bytes(s + 12, 1)?.first()?, elf.u16(s + 14)?)
                };
                let bind = info >> 4;
                // Global or weak: defined here, or in section 0 ("undefined").
                if bind == 1 || bind == 2 {
                    let name = strtab.get(name as usize..)?;
                    let end = name.iter().position(|&b| b == 0)?;
                    let name = String::from_utf8_lossy(&name[..end]).into_owned();
                    if shndx != 0 {
                        defined.push(name);
                    } else if !name.is_empty() {
                        undefined.push(name);
                    }
                }
            }
        } else if kind == SHT_ARM_ATTRIBUTES {
            arm = arm_attributes(elf.bytes(offset, size)?, elf.little);
        }
    }
    Some(ObjectInfo { defined, undefined, arm, machine })
}

/// ULEB128 at `*at`, which moves past it.
fn uleb(data: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *data.get(*at)?;
        *at += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// A NUL-terminated string at `*at`, which moves past it.
fn ntbs<'a>(data: &'a [u8], at: &mut usize) -> Option<&'a [u8]> {
    let rest = data.get(*at..)?;
    let end = rest.iter().position(|&b| b == 0)?;
    *at += end + 1;
    Some(&rest[..end])
}

/// The name `readelf -A` gives a `Tag_CPU_arch` value (the Arm ABI's table).
fn arch_name(value: u64) -> String {
    const NAMES: &[&str] = &[
        "Pre-v4", "v4", "v4T", "v5T", "v5TE", "v5TEJ", "v6", "v6KZ", "v6T2", "v6K", "v7", "v6-M",
        "v6S-M", "v7E-M", "v8-A", "v8-R", "v8-M.baseline", "v8-M.mainline", "v8.1-A", "v8.2-A",
        "v8.3-A", "v8.1-M.mainline", "v9",
    ];
    NAMES.get(value as usize).map_or_else(|| format!("arch {value}"), |s| s.to_string())
}

/// The file-scope `aeabi` attributes of a `.ARM.attributes` section.
fn arm_attributes(data: &[u8], little: bool) -> Option<ArmAttributes> {
    if data.first() != Some(&b'A') {
        return None;
    }
    let read_u32 = |at: usize| -> Option<usize> {
        let b: [u8; 4] = data.get(at..at + 4)?.try_into().ok()?;
        Some(if little { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) } as usize)
    };
    let mut found = None;
    let mut at = 1;
    while at < data.len() {
        let len = read_u32(at)?;
        let end = at.checked_add(len)?.min(data.len());
        let mut p = at + 4;
        let vendor = ntbs(data, &mut p)?;
        if vendor == b"aeabi" {
            while p < end {
                let tag_at = p;
                let scope = uleb(data, &mut p)?;
                let size = read_u32(p)?;
                p += 4;
                let sub_end = tag_at.checked_add(size)?.min(end);
                // Scope 1: the whole file (section and symbol scopes are not used
                // by C compilers for these two tags).
                if scope == 1 {
                    let mut attrs = ArmAttributes { cpu_arch: String::new(), hard_float: false };
                    while p < sub_end {
                        let tag = uleb(data, &mut p)?;
                        match tag {
                            // Strings: CPU_raw_name, CPU_name, also_compatible_with,
                            // conformance.
                            4 | 5 | 65 | 67 => {
                                ntbs(data, &mut p)?;
                            }
                            // Tag_compatibility: a flag, then a vendor name.
                            32 => {
                                uleb(data, &mut p)?;
                                ntbs(data, &mut p)?;
                            }
                            6 => attrs.cpu_arch = arch_name(uleb(data, &mut p)?),
                            28 => attrs.hard_float = uleb(data, &mut p)? == 1,
                            // Above 32, odd tags are strings and even ones numbers.
                            t if t > 32 && t % 2 == 1 => {
                                ntbs(data, &mut p)?;
                            }
                            _ => {
                                uleb(data, &mut p)?;
                            }
                        }
                    }
                    found = Some(attrs);
                }
                p = sub_end;
            }
        }
        if len == 0 {
            break;
        }
        at = end;
    }
    found
}

/// The members of a static archive (GNU/System V or BSD format), by name;
/// `None` if the data is not an archive.
pub fn read_archive(data: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut at = 8;
    if data.get(..at)? != b"!<arch>\n" {
        return None;
    }
    let mut long_names: &[u8] = &[];
    let mut members = Vec::new();
    while at + 60 <= data.len() {
        let header = &data[at..at + 60];
        let field = |a: usize, b: usize| String::from_utf8_lossy(&header[a..b]).trim_end().to_string();
        let name = field(0, 16);
        let size: usize = field(48, 58).parse().ok()?;
        let body = data.get(at + 60..at + 60 + size)?;
        at += 60 + size + (size & 1);
        if name == "/" || name == "/SYM64/" || name.starts_with("__.SYMDEF") {
            continue;
        }
        if name == "//" {
            long_names = body;
            continue;
        }
        let (name, body) = if let Some(off) = name.strip_prefix('/') {
            let off: usize = off.parse().ok()?;
            let rest = long_names.get(off..)?;
            let end = rest.iter().position(|&b| b == b'\n' || b == 0).unwrap_or(rest.len());
            (String::from_utf8_lossy(&rest[..end]).trim_end_matches('/').to_string(), body)
        } else if let Some(n) = name.strip_prefix("#1/") {
            // BSD: the name is the first n bytes of the body.
            let n: usize = n.parse().ok()?;
            let raw = body.get(..n)?;
            let end = raw.iter().position(|&b| b == 0).unwrap_or(n);
            (String::from_utf8_lossy(&raw[..end]).into_owned(), body.get(n..)?)
        } else {
            (name.trim_end_matches('/').to_string(), body)
        };
        members.push((name, body.to_vec()));
    }
    Some(members)
}

/// A System V (GNU) archive of `members` (name, contents) with a symbol index
/// of their defined global and weak symbols, as GNU ld and ld.lld require.
/// Deterministic: member order as given, date/uid/gid 0, mode 644.
pub fn write_archive(members: &[(String, Vec<u8>)]) -> Result<Vec<u8>, String> {
    let header = |name: &str, size: usize, mode: &str| -> Vec<u8> {
        let h = format!("{name:<16}{:<12}{:<6}{:<6}{mode:<8}{size:<10}`\n", 0, 0, 0);
        debug_assert_eq!(h.len(), 60);
        h.into_bytes()
    };
    let pad = |v: &mut Vec<u8>| {
        if v.len() % 2 == 1 {
            v.push(b'\n');
        }
    };
    // Long names table: GNU names of more than 15 bytes live there as "name/\n".
    let mut long_names = Vec::new();
    let mut names = Vec::new();
    for (name, _) in members {
        if name.len() > 15 {
            names.push(format!("/{}", long_names.len()));
            long_names.extend_from_slice(name.as_bytes());
            long_names.extend_from_slice(b"/\n");
        } else {
            names.push(format!("{name}/"));
        }
    }
    // Symbols per member.
    let mut symbols: Vec<(usize, String)> = Vec::new();
    for (i, (name, data)) in members.iter().enumerate() {
        let info = object_info(data)
            .ok_or_else(|| format!("{name} is not an ELF object: cannot index it"))?;
        symbols.extend(info.defined.into_iter().map(|s| (i, s)));
    }
    let index_size = 4 + 4 * symbols.len() + symbols.iter().map(|(_, s)| s.len() + 1).sum::<usize>();
    let mut at = 8 + 60 + index_size + (index_size & 1);
    if !long_names.is_empty() {
        at += 60 + long_names.len() + (long_names.len() & 1);
    }
    let mut offsets = Vec::new();
    for (_, data) in members {
        offsets.push(at);
        at += 60 + data.len() + (data.len() & 1);
    }
    let mut out = b"!<arch>\n".to_vec();
    out.extend(header("/", index_size, "0"));
    out.extend_from_slice(&(symbols.len() as u32).to_be_bytes());
    for (member, _) in &symbols {
        let off = u32::try_from(offsets[*member]).map_err(|_| "archive over 4 GiB".to_string())?;
        out.extend_from_slice(&off.to_be_bytes());
    }
    for (_, s) in &symbols {
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }
    pad(&mut out);
    if !long_names.is_empty() {
        out.extend(header("//", long_names.len(), ""));
        out.extend_from_slice(&long_names);
        pad(&mut out);
    }
    for ((_, data), name) in members.iter().zip(&names) {
        out.extend(header(name, data.len(), "644"));
        out.extend_from_slice(data);
        pad(&mut out);
    }
    Ok(out)
}
