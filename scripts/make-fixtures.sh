#!/usr/bin/env bash
# Generates the noise-suppression evaluation fixtures into eval/fixtures/:
#   speech-<id>.wav  clean utterances (espeak-ng, several voices), 48 kHz mono 16-bit, active speech
#                    level -26 dBov (ITU-T P.56), 0.5 s of silence at both ends;
#   noise-<type>.wav white, pink, brown, hum, fan, babble at 48 kHz mono 16-bit, -26 dBFS RMS, each a
#                    little longer than the longest utterance and loopable without a click;
#   manifest.json    voices, texts, durations and levels of all of the above.
# Mixtures are not stored: eval/mix.ts makes them in code. Deterministic (fixed PRNG seed, sox -R),
# idempotent (rewrites everything), a few seconds. Needs espeak-ng and sox (apt-get install espeak-ng sox).
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=eval/fixtures
for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "make-fixtures: $tool not found (apt-get install -y espeak-ng sox)" >&2; exit 1; }
done
[ -x node_modules/.bin/tsx ] || { echo "make-fixtures: node_modules/.bin/tsx not found (npm install)" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# id | espeak-ng voice | speed (words/min) | pitch (0-99) | language | text
# English sentences are from the Harvard sentences (IEEE 1969, phonetically balanced).
SPEECH=(
  "en-us-m1|en-us|165|45|en-US|The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background."
  "en-us-f1|en-us+f3|170|62|en-US|It's easy to tell the depth of a well. These days a chicken leg is a rare dish."
  "en-m2|en+m3|160|35|en|The box was thrown beside the parked truck. Four hours of steady work faced us."
  "en-gb-f2|en-gb+f2|160|55|en-GB|Rice is often served in round bowls. A rod is used to catch pink salmon."
  "de-m1|de|150|42|de|Der alte Fischer flickt am Morgen seine Netze. Im Sommer fahren wir mit dem Rad an den See."
  "fr-f4|fr+f4|155|66|fr|Le vieux boulanger ouvre sa boutique avant l'aube. Demain matin, nous irons acheter des fruits frais au marché."
)

# Babble talkers: other voices, other sentences (none of the clean utterances' sentences).
BABBLE=(
  "b1|en-us+m1|175|40|en-US|The source of the huge river is the clear spring. Kick the ball straight and follow through. Help the woman get back to her feet."
  "b2|en+f1|165|60|en|A pot of tea helps to pass the evening. Smoky fires lack flame and heat. The soft cushion broke the man's fall."
  "b3|en-gb-scotland+m7|160|30|en-GB|The salt breeze came across from the sea. The girl at the booth sold fifty bonds. The small pup gnawed a hole in the sock."
  "b4|en-us+f5|180|70|en-US|The fish twisted and turned on the bent hook. Press the pants and sew a button on the vest. The swan dive was far short of perfect."
  "b5|es+m4|170|48|es|Mañana por la tarde vamos a visitar a mis abuelos en el pueblo. El tren sale a las ocho y media."
)

synthesize() { # <tsv> <row>...
  local tsv=$1; shift
  local row id voice speed pitch language text
  for row in "$@"; do
    IFS='|' read -r id voice speed pitch language text <<<"$row"
    espeak-ng -v "$voice" -s "$speed" -p "$pitch" -w "$WORK/$id-raw.wav" "$text"
    # Very-high-quality resampling to 48 kHz into float (6 dB headroom: espeak-ng peaks near full scale),
    # so levelling happens before quantization.
    sox -R -q "$WORK/$id-raw.wav" -r 48000 -c 1 -b 32 -e floating-point "$WORK/$id.wav" gain -6 rate -v
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$voice" "$speed" "$pitch" "$language" "$text" "$WORK/$id.wav" >>"$tsv"
  done
}

synthesize "$WORK/speech.tsv" "${SPEECH[@]}"
synthesize "$WORK/babble.tsv" "${BABBLE[@]}"

mkdir -p "$OUT"
rm -f "$OUT"/speech-*.wav "$OUT"/noise-*.wav "$OUT"/manifest.json
node_modules/.bin/tsx scripts/make-noise.ts "$WORK" "$OUT"

echo "make-fixtures: $(find "$OUT" -maxdepth 1 -name '*.wav' | wc -l) files, $(du -sh "$OUT" | cut -f1) in $OUT"
