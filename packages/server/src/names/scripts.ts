/*
 * Mixed-script names (Unicode Technical Standard #39, section 5.2,
 * restriction levels). A name may be written in one script, or in Latin
 * with the scripts Japanese, Chinese or Korean writing mixes with it
 * ("highly restrictive"), or in Latin and one other script that people
 * use in identifiers, but for Cyrillic and Greek, whose letters pass for
 * Latin ones ("moderately restrictive"). Anything else (`pаypal` with a
 * Cyrillic `а`) is refused. Scripts come from the `Script_Extensions`
 * property of the JavaScript engine's Unicode data.
 */

/** Every script the engine knows (Unicode 17), for `\p{Script_Extensions=…}`. */
const SCRIPT_NAMES = `Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum
  Bassa_Vah Batak Bengali Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal
  Carian Caucasian_Albanian Chakma Cham Cherokee Chorasmian Coptic Cuneiform Cypriot Cypro_Minoan
  Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan Egyptian_Hieroglyphs Elbasan Elymaic
  Ethiopic Garay Georgian Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi Gurmukhi
  Gurung_Khema Han Hangul Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic
  Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Katakana Kawi Kayah_Li
  Kharoshthi Khitan_Small_Script Khmer Khojki Khudawadi Kirat_Rai Lao Latin Lepcha Limbu Linear_A
  Linear_B Lisu Lycian Lydian Mahajani Makasar Malayalam Mandaic Manichaean Marchen Masaram_Gondi
  Medefaidrin Meetei_Mayek Mende_Kikakui Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mongolian
  Mro Multani Myanmar Nabataean Nag_Mundari Nandinagari New_Tai_Lue Newa Nko Nushu
  Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Ol_Onal Old_Hungarian Old_Italic Old_North_Arabian
  Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur Oriya Osage Osmanya
  Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan
  Saurashtra Sharada Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese
  Sunuwar Syloti_Nagri Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut
  Telugu Thaana Thai Tibetan Tifinagh Tirhuta Todhri Toto Tulu_Tigalari Ugaritic Vai Vithkuqi
  Wancho Warang_Citi Yezidi Yi Zanabazar_Square`.split(/\s+/);

/** Scripts in common use, recommended for identifiers (UAX #31, table 4). */
const RECOMMENDED = new Set(
  `Arabic Armenian Bengali Bopomofo Cyrillic Devanagari Ethiopic Georgian Greek Gujarati Gurmukhi
  Han Hangul Hebrew Hiragana Kannada Katakana Khmer Lao Latin Malayalam Myanmar Oriya Sinhala Tamil
  Telugu Thaana Thai Tibetan`.split(/\s+/),
);

/** Scripts whose letters pass for Latin ones: not mixed with Latin even at the moderate level. */
const LATIN_LOOKALIKES = new Set(['Cyrillic', 'Greek']);

/** Writing systems that mix scripts (UTS #39 section 5.1): Japanese, Chinese with Bopomofo, Korean. */
const AUGMENTED: Readonly<Record<string, readonly string[]>> = {
  Han: ['Jpan', 'Kore', 'Hanb'],
  Hiragana: ['Jpan'],
  Katakana: ['Jpan'],
  Hangul: ['Kore'],
  Bopomofo: ['Hanb'],
};

/** The mixes Latin may take part in at the highly restrictive level. */
const HIGHLY_RESTRICTIVE = [
  ['Latin', 'Jpan'],
  ['Latin', 'Hanb'],
  ['Latin', 'Kore'],
];

const BELONGS_TO_ALL = /^[\p{Script_Extensions=Common}\p{Script_Extensions=Inherited}]$/u;
let tests: Array<[string, RegExp]> | undefined;
/** Script sets of code points already looked at (names are short; the alphabet of a chat is not). */
const seen = new Map<number, ReadonlySet<string> | 'all'>();
const MAX_SEEN = 10_000;

/** A character's scripts (with the writing systems it takes part in), or `all` (digits, punctuation, marks). */
function scriptsOf(char: string): ReadonlySet<string> | 'all' {
  const code = char.codePointAt(0)!;
  const known = seen.get(code);
  if (known !== undefined) return known;
  let scripts: ReadonlySet<string> | 'all';
  if (BELONGS_TO_ALL.test(char)) scripts = 'all';
  else {
    tests ??= SCRIPT_NAMES.map((name) => [
      name,
      new RegExp(`^\\p{Script_Extensions=${name}}$`, 'u'),
    ]);
    const found = new Set<string>();
    for (const [name, pattern] of tests)
      if (pattern.test(char)) {
        found.add(name);
        for (const system of AUGMENTED[name] ?? []) found.add(system);
      }
    scripts = found;
  }
  if (seen.size >= MAX_SEEN) seen.clear();
  seen.set(code, scripts);
  return scripts;
}

/** Whether every character can be read as one of `scripts`. */
function coveredBy(sets: ReadonlyArray<ReadonlySet<string>>, scripts: readonly string[]): boolean {
  return sets.every((set) => scripts.some((script) => set.has(script)));
}

/**
 * Why a name mixes scripts as no one writes them, or undefined when it is
 * at most moderately restrictive (UTS #39): one script; Latin with
 * Japanese, Chinese or Korean writing; or Latin and one other recommended
 * script but Cyrillic and Greek.
 */
export function mixedScripts(name: string): string | undefined {
  const sets: Array<ReadonlySet<string>> = [];
  for (const char of name) {
    const scripts = scriptsOf(char);
    if (scripts !== 'all') sets.push(scripts);
  }
  if (sets.length <= 1) return undefined;
  // One script: some script is in every character's set.
  const [first, ...rest] = sets;
  if ([...first!].some((script) => rest.every((set) => set.has(script)))) return undefined;
  if (HIGHLY_RESTRICTIVE.some((mix) => coveredBy(sets, mix))) return undefined;
  const others = new Set(sets.flatMap((set) => [...set]));
  for (const other of others) {
    if (other === 'Latin' || !RECOMMENDED.has(other) || LATIN_LOOKALIKES.has(other)) continue;
    if (coveredBy(sets, ['Latin', other])) return undefined;
  }
  return 'a name must not mix scripts (such as Latin with Cyrillic or Greek letters)';
}
