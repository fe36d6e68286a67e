// Signature rules over the canonical text (see normalise.ts). Each is a bounded regular
// expression (no nested quantifiers, gaps of fixed maximum length), so matching stays linear.
// Their hits are features of the classifier: the trained weights decide how much each
// counts, so a rule that also fires on benign text (say, a paper about jailbreaks) costs
// little on its own.

export interface Rule {
  readonly id: string;
  readonly pattern: RegExp;
}

const GAP = '[^.!?\\n]{0,48}';

export const RULES: readonly Rule[] = [
  { id: 'ignore_previous', pattern: new RegExp(`\\b(ignore|disregard|forget|override|bypass|skip|abandon|drop)\\b${GAP}\\b(previous|prior|above|earlier|preceding|former|all|any|your|original|initial|system)\\b${GAP}\\b(instructions?|prompts?|rules|directives?|guidelines|context|messages?|commands?|programming|constraints)\\b`) },
  { id: 'new_instructions', pattern: /\b(new|updated|real|actual|true|secret|hidden|additional|important) (instructions?|tasks?|directives?|orders?|rules)\b ?(:|-|are|is)/ },
  { id: 'prompt_leak', pattern: new RegExp(`\\b(reveal|show|print|repeat|output|display|tell me|leak|give me|write out|spell)\\b${GAP}\\b(system prompt|initial (prompt|instructions)|hidden (prompt|instructions)|(your|the) (instructions|rules|prompt)|pre-?prompt|everything above)\\b`) },
  { id: 'unrestricted_persona', pattern: /\b(dan|do anything now|developer mode|dev mode|jailbreak|jailbroken|unfiltered|uncensored|unrestricted|unlocked|god mode|evil (mode|bot|ai)|amoral|aim\b)/ },
  { id: 'no_limits', pattern: /\b(no|without|free of|free from|not bound by|break free of|ignores?|doesn'?t (have|follow|care about)|does not (have|follow|care about)) (any )?(restrictions|limits|limitations|filters?|rules|guidelines|ethics|ethical|morals?|moral|censorship|policies|boundaries|constraints)\b/ },
  { id: 'persona_switch', pattern: /\b(you are now|from now on,? you|from now on,? (act|respond|answer|reply)|act as|pretend (to be|you are|that you)|role-?play as|you will (now )?(act|be|respond|answer) as|stay in character|simulate (a|an)\b|you are going to (act|pretend|be))/ },
  { id: 'policy_talk', pattern: /\b(openai|anthropic|content|usage|safety)('s)? (polic(y|ies)|guidelines|filters?)\b/ },
  { id: 'fake_role_marker', pattern: /(^|\n| )(#{2,} ?(system|instruction|new instruction)|<\|?(system|im_start|im_end|endoftext)\|?>|\[\/?(inst|system)\]|<\/?(system|instructions?)>|(system|assistant) ?(message|prompt)? ?:)/ },
  { id: 'answer_steering', pattern: /\b((in|to|into|throughout) your (answer|response|reply|output|message)|your (answer|response|reply|output|message) (should|must|will)|(modify|change|alter|rewrite|translate|format|end|begin|start|conclude|render|compose|express|present|deliver|provide|write|encode|give) your (entire |whole )?(answer|response|reply|output|message)|(respond|reply|answer) (only )?(with|in)\b)/ },
  { id: 'plant_in_output', pattern: /\b(include|insert|add|append|incorporate|integrate|inject|embed|blend|weave|merge|introduce|absorb|ensure)\b[^.!?\n]{0,60}\b(in|into|to|within|throughout|at the end of|at the start of) (the |each |every |all )?(your|each|every) (response|reply|answer|code|solution|implementation|output|message|script|program|algorithm)s?\b/ },
  { id: 'addresses_model', pattern: /\b(ai|assistant|chatbot|language model|llm|gpt|chatgpt|claude|bot) (must|should|shall|needs to|has to|will now|is required to)\b/ },
  { id: 'exfiltration', pattern: new RegExp(`\\b(send|forward|email|post|upload|leak|exfiltrate|transmit)\\b${GAP}\\b(passwords?|credentials|api keys?|tokens?|secrets?|cookies?|private keys?|ssh keys?|session)\\b|!\\[[^\\]]{0,64}\\]\\(https?://[^)\\s]{0,256}[?&][^)\\s=]{1,32}=`) },
  { id: 'two_responses', pattern: /\b(two (different|separate) (ways|responses|answers)|\[(gpt|dan|jailbreak|classic|🔓\w*)\]|(normal|classic) (response|mode) and)/ },
  { id: 'harm_enable', pattern: /\b(illegal|harmful|unethical|immoral|explicit|offensive)\b[^.!?\n]{0,40}\b(content|information|answers?|responses?|requests?)\b/ },
  { id: 'forget_everything', pattern: /\b(forget|ignore|disregard|erase|discard)\b (everything|all) (you('ve| have)? (learned|been told|know|were told)|(that )?(came |was said )?before|above|prior|previous(ly)?|from (before|earlier))|\bstop everything\b/ },
  { id: 'refusal_suppression', pattern: /\b(never|not|don'?t|do not|won'?t|will not|must not|cannot|can'?t|shall not|unable to) (ever )?(refuse|decline|reject|apologi[sz]e|censor|filter|break character)\b|\b(break(ing)?|out of) character\b|\bwithout (any )?(disclaimers?|censorship|refusals?|refusing|moral|ethical)\b|\b(no|any) (disclaimers?|moralizing|moralising)\b/ },
  { id: 'mode_switch', pattern: /\b(enter|enable|activate|stay in|switch to|while in|now in|remain in|(you are|you're) in) [^.!?\n]{0,24}\bmode\b/ },
  { id: 'persona_spec', pattern: /[([{+] ?:? ?(character|persona|personality|assistant|user class|role|ai)( name)?[)\]}]? ?[=:] ?[[{("]/ },
  { id: 'template_slot', pattern: /[[<{(] ?(insert (your |the )?|your |put (your )?)?(prompt|question|request|query)( here)? ?[\]>})]/ },
  { id: 'anything_goes', pattern: /\b(can|will|able to|capable of|must) (do|say|answer|generate|write|produce) anything\b|\b(opposite day|no (restrictions|rules|filters) (apply|whatsoever))\b|\bfrom now on\b|\buntil i (say|tell you)\b/ },
  { id: 'decoded_payload', pattern: /\b(decode|decrypt|base64|rot13|reverse)\b[^.!?\n]{0,40}\b(and|then) (follow|execute|run|do|obey)\b/ },
];

/** The ids of the rules that match, as a bit set over RULES (bit i = RULES[i]). */
export function ruleHits(text: string): number {
  let hits = 0;
  for (let i = 0; i < RULES.length; i++) if (RULES[i]!.pattern.test(text)) hits |= 1 << i;
  return hits;
}

export function ruleIds(hits: number): string[] {
  return RULES.filter((_, i) => (hits & (1 << i)) !== 0).map((r) => r.id);
}
