"""Word lists and sentence templates behind the course corpus (see `utils.data`).

Everything here is invented for teaching. Disease names come from ICD-10-CM at build time
(`ICD_CATEGORIES`); the rest is written by hand. Template mini-language, read by
`utils.data`:

- ``{kind}`` or ``{kind:flag}`` is a slot filled at random, e.g. ``{symptom:neg}``. Entity kinds
  (``disease``, ``comorb``, ``symptom``, ``drug``, ``test``, ``anatomy``) become entity spans;
  flags ``neg`` / ``hist`` set the negation / history labels, and the roles ``dx``, ``cc``,
  ``new``, ``order``, ``admit`` mark the facts that questions and summaries are built from.
  PHI kinds (``name``, ``first``, ``dr``, ``date``, ``mrn``, ``phone``, ``address``,
  ``hospital``, ``age``) become PHI spans (an age only when it is over 89).
- ``[[text|label]]`` is a fixed entity, e.g. ``[[ECG|test]]``.
- ``{ABBR}`` is the ambiguous abbreviation of an abbreviation template.
"""

SPECIALTIES = (
    "cardiology", "pulmonology", "neurology", "gastroenterology",
    "oncology", "endocrinology", "rheumatology", "nephrology",
)

# ICD-10-CM categories (3-character codes) whose leaf descriptions name each specialty's diseases.
ICD_CATEGORIES = {
    "cardiology": ["I05", "I10", "I11", "I20", "I21", "I24", "I25", "I30", "I31", "I33", "I34", "I35", "I36",
                   "I40", "I42", "I45", "I47", "I48", "I49", "I50", "I51", "I71", "I73", "I80"],
    "pulmonology": ["J12", "J13", "J15", "J18", "J20", "J43", "J44", "J45", "J47", "J60", "J67", "J69", "J84",
                    "J86", "J90", "J93", "J96", "J98", "I26", "I27", "G47", "A15", "D86", "E84"],
    "neurology": ["G00", "G03", "G10", "G20", "G25", "G30", "G31", "G35", "G36", "G40", "G43", "G44", "G45",
                  "G50", "G51", "G56", "G57", "G61", "G62", "G70", "G71", "G91", "I61", "I63", "I67"],
    "gastroenterology": ["K20", "K21", "K22", "K25", "K26", "K29", "K31", "K50", "K51", "K52", "K55", "K56",
                         "K57", "K58", "K59", "K60", "K61", "K64", "K70", "K71", "K74", "K75", "K80", "K81", "K85", "K86", "K92"],
    "oncology": ["C15", "C16", "C18", "C20", "C22", "C25", "C32", "C34", "C43", "C45", "C50", "C53", "C54", "C56",
                 "C61", "C64", "C67", "C71", "C73", "C81", "C82", "C83", "C85", "C90", "C91", "C92", "D05"],
    "endocrinology": ["E01", "E03", "E04", "E05", "E06", "E07", "E10", "E11", "E13", "E16", "E20", "E21", "E22",
                      "E23", "E24", "E26", "E27", "E28", "E34", "E55", "E66", "E78", "E83", "E88"],
    "rheumatology": ["M02", "M05", "M06", "M08", "M10", "M11", "M15", "M16", "M17", "M19", "M30", "M31", "M32",
                     "M33", "M34", "M35", "M45", "M47", "M60", "M65", "M70", "M75", "M77", "M79", "M81", "M85"],
    "nephrology": ["N00", "N01", "N02", "N03", "N04", "N05", "N06", "N07", "N10", "N11", "N13", "N15", "N17",
                   "N18", "N19", "N20", "N21", "N25", "N26", "N28", "N39", "E87", "I12", "I13", "Q61"],
}

# Specialties that share patients: a consult note of one may be about a disease of the other.
NEIGHBOURS = {
    "cardiology": ["pulmonology", "nephrology", "neurology", "endocrinology"],
    "pulmonology": ["cardiology", "oncology", "rheumatology"],
    "neurology": ["cardiology", "oncology", "endocrinology"],
    "gastroenterology": ["oncology", "endocrinology", "rheumatology"],
    "oncology": ["pulmonology", "gastroenterology", "neurology"],
    "endocrinology": ["nephrology", "cardiology", "rheumatology"],
    "rheumatology": ["nephrology", "pulmonology", "endocrinology"],
    "nephrology": ["cardiology", "endocrinology", "rheumatology"],
}

# Lay names patients use on forums (also used now and then by clinicians).
LAY_DISEASE_CODES = {
    "cardiology": {"heart attack": "I21", "AFib": "I48", "high blood pressure": "I10", "heart failure": "I50",
                   "a leaky valve": "I34", "an irregular heartbeat": "I49"},
    "pulmonology": {"COPD": "J44", "asthma": "J45", "pneumonia": "J18", "sleep apnea": "G47",
                    "a blood clot in my lung": "I26", "emphysema": "J43"},
    "neurology": {"migraines": "G43", "epilepsy": "G40", "Parkinson's": "G20", "a mini stroke": "G45",
                  "multiple sclerosis": "G35", "nerve damage in my feet": "G62"},
    "gastroenterology": {"acid reflux": "K21", "Crohn's": "K50", "IBS": "K58", "gallstones": "K80",
                         "a stomach ulcer": "K25", "fatty liver": "K70"},
    "oncology": {"breast cancer": "C50", "lymphoma": "C83", "prostate cancer": "C61", "a lung tumor": "C34",
                 "leukemia": "C91", "colon cancer": "C18"},
    "endocrinology": {"diabetes": "E11", "an underactive thyroid": "E03", "Graves disease": "E05",
                      "high cholesterol": "E78", "a thyroid nodule": "E04", "low vitamin D": "E55"},
    "rheumatology": {"lupus": "M32", "gout": "M10", "rheumatoid arthritis": "M06", "osteoporosis": "M81",
                     "fibromyalgia": "M79", "bad arthritis in my knees": "M17"},
    "nephrology": {"kidney stones": "N20", "kidney failure": "N17", "a kidney infection": "N10",
                   "nephrotic syndrome": "N04", "a bladder infection": "N39", "kidney disease": "N18"},
}
LAY_DISEASES = {s: list(v) for s, v in LAY_DISEASE_CODES.items()}

# Symptoms, drugs, tests and anatomy per specialty. Shared lists (GENERAL_*) add the overlap that
# real notes have: fatigue and shortness of breath belong to no single specialty.
SYMPTOMS = {
    "cardiology": ["chest pain", "palpitations", "exertional dyspnea", "orthopnea", "ankle swelling", "syncope", "chest tightness", "lightheadedness"],
    "pulmonology": ["cough", "wheezing", "productive cough", "hemoptysis", "pleuritic chest pain", "shortness of breath", "night sweats", "chest tightness"],
    "neurology": ["headache", "numbness", "tingling in both feet", "blurred vision", "tremor", "slurred speech", "unsteady gait", "memory loss", "seizures"],
    "gastroenterology": ["abdominal pain", "nausea", "vomiting", "diarrhea", "heartburn", "bloating", "rectal bleeding", "jaundice", "dark stools"],
    "oncology": ["weight loss", "night sweats", "a palpable mass", "bone pain", "fatigue", "loss of appetite", "swollen lymph nodes"],
    "endocrinology": ["polyuria", "excessive thirst", "weight gain", "heat intolerance", "cold intolerance", "hair loss", "weight loss", "tremor"],
    "rheumatology": ["joint pain", "morning stiffness", "swollen knees", "a malar rash", "dry eyes", "muscle weakness", "back pain", "joint swelling"],
    "nephrology": ["flank pain", "foamy urine", "decreased urine output", "leg swelling", "hematuria", "itching", "nausea", "ankle swelling"],
}
GENERAL_SYMPTOMS = ["fatigue", "fever", "dizziness", "shortness of breath", "malaise", "chills", "poor sleep", "loss of appetite", "nausea", "weakness"]

ANATOMY = {
    "cardiology": ["left ventricle", "mitral valve", "coronary arteries", "aortic valve", "right atrium", "heart"],
    "pulmonology": ["right lower lobe", "left lung", "pleura", "bronchi", "lungs", "trachea"],
    "neurology": ["brain", "spinal cord", "temporal lobe", "cerebellum", "peripheral nerves", "basal ganglia"],
    "gastroenterology": ["stomach", "colon", "liver", "gallbladder", "pancreas", "small bowel", "esophagus"],
    "oncology": ["breast", "lymph nodes", "lung", "prostate", "bone marrow", "colon", "liver"],
    "endocrinology": ["thyroid", "pancreas", "adrenal glands", "pituitary", "neck"],
    "rheumatology": ["knees", "wrists", "hands", "spine", "hips", "small joints of the hands"],
    "nephrology": ["kidneys", "left kidney", "bladder", "ureter", "renal pelvis", "right kidney"],
}

# Ambiguous abbreviations: each sense has an entity label (or None) and sentence templates whose
# context decides the sense. "generic" templates give no local cue: only the note around them does.
GENERAL_ANATOMY = ["abdomen", "chest", "legs", "back", "skin", "neck", "arms", "feet"]

ABBREVIATIONS = {
    "MI": {
        "myocardial infarction": ("disease", "cardiology", [
            "[[ECG|test]] showed ST elevation in the inferior leads consistent with acute {ABBR}.",
            "[[troponin|test]] peaked at 4.2 ng/mL, confirming {ABBR}.",
            "Prior {ABBR} treated with a stent to the [[coronary arteries|anatomy]].",
            "He was taken to the cath lab for {ABBR} with crushing [[chest pain|symptom]].",
            "Risk factors for {ABBR} include smoking and [[hyperlipidemia|disease]].",
            "{ABBR} ruled in on serial enzymes.",
            "Post-{ABBR} care includes [[aspirin|drug]] and cardiac rehabilitation.",
        ]),
        "mitral insufficiency": ("disease", "cardiology", [
            "[[echocardiogram|test]] revealed moderate {ABBR} with a dilated left atrium.",
            "Holosystolic murmur at the apex radiating to the axilla, likely {ABBR}.",
            "[[mitral valve|anatomy]] prolapse with {ABBR}.",
            "Severe {ABBR} with regurgitant jet on color Doppler.",
            "Referred to cardiac surgery for {ABBR} and valve repair.",
            "{ABBR} graded 3+ on transesophageal echo.",
        ]),
    },
    "PE": {
        "pulmonary embolism": ("disease", "pulmonology", [
            "[[CT pulmonary angiogram|test]] confirmed a segmental {ABBR}.",
            "Started on [[heparin|drug]] for suspected {ABBR}.",
            "Elevated [[D-dimer|test]] and tachycardia raised concern for {ABBR}.",
            "Wells score high, {ABBR} suspected after the long flight.",
            "{ABBR} with right heart strain on imaging.",
            "Saddle {ABBR} treated with thrombolysis.",
        ]),
        "physical examination": (None, None, [
            "On {ABBR}, the abdomen was soft and non-tender.",
            "{ABBR}: alert, oriented, no acute distress.",
            "{ABBR} was otherwise unremarkable.",
            "A focused {ABBR} revealed bilateral crackles.",
            "{ABBR} notable for pitting edema of both legs.",
            "Vital signs and {ABBR} at the bedside were normal.",
        ]),
        "pleural effusion": ("disease", "pulmonology", [
            "[[chest X-ray|test]] shows a left-sided {ABBR} with blunting of the costophrenic angle.",
            "Thoracentesis drained 900 mL from the {ABBR}.",
            "Small bilateral {ABBR} on CT, likely from fluid overload.",
            "Dullness to percussion at the right base suggests {ABBR}.",
            "Malignant {ABBR} requiring an indwelling catheter.",
        ]),
    },
    "RA": {
        "rheumatoid arthritis": ("disease", "rheumatology", [
            "Seropositive {ABBR} on [[methotrexate|drug]] weekly.",
            "Symmetric synovitis of the [[small joints of the hands|anatomy]], consistent with {ABBR}.",
            "[[anti-CCP|test]] strongly positive, supporting {ABBR}.",
            "{ABBR} flare with prolonged [[morning stiffness|symptom]].",
            "Long-standing {ABBR} with ulnar deviation.",
            "Biologic therapy for {ABBR} was discussed.",
        ]),
        "right atrium": ("anatomy", "cardiology", [
            "The {ABBR} is mildly dilated on echo.",
            "Pacemaker lead tip positioned in the {ABBR}.",
            "A mass in the {ABBR} was seen on imaging.",
            "Pressure in the {ABBR} measured 12 mmHg at catheterization.",
            "{ABBR} enlargement with tricuspid regurgitation.",
        ]),
        "room air": (None, None, [
            "Saturating 94% on {ABBR}.",
            "SpO2 88% on {ABBR}, placed on 2 L nasal cannula.",
            "Ambulating on {ABBR} without desaturation.",
            "Arterial blood gas drawn on {ABBR}.",
            "Oxygen weaned to {ABBR} by day three.",
            "Sats stable on {ABBR} overnight.",
        ]),
    },
    "MS": {
        "multiple sclerosis": ("disease", "neurology", [
            "Relapsing {ABBR} with new lesions on [[MRI brain|test]].",
            "{ABBR} diagnosed after an episode of optic neuritis.",
            "Periventricular white matter lesions typical of {ABBR}.",
            "Disease-modifying therapy for {ABBR} was started.",
            "{ABBR} relapse with [[numbness|symptom]] of the left leg.",
            "Oligoclonal bands in the CSF supported {ABBR}.",
        ]),
        "mitral stenosis": ("disease", "cardiology", [
            "Rheumatic {ABBR} with a valve area of 1.1 cm2.",
            "Diastolic rumble at the apex consistent with {ABBR}.",
            "Balloon valvotomy was considered for severe {ABBR}.",
            "{ABBR} with left atrial enlargement and [[atrial fibrillation|disease]].",
            "Mean gradient across the valve suggests moderate {ABBR}.",
        ]),
        "morphine sulfate": ("drug", None, [
            "{ABBR} 2 mg IV given for pain.",
            "Pain controlled with {ABBR} 15 mg every 4 hours as needed.",
            "Switched from {ABBR} to oral oxycodone.",
            "{ABBR} infusion titrated for comfort.",
            "Received {ABBR} in the emergency department.",
        ]),
        "mental status": (None, None, [
            "Altered {ABBR} noted by the night nurse.",
            "{ABBR} at baseline, following commands.",
            "Family reports a change in {ABBR} since yesterday.",
            "{ABBR} improved after correction of sodium.",
            "Waxing and waning {ABBR}, concerning for delirium.",
        ]),
    },
    "CA": {
        "cancer": ("disease", "oncology", [
            "Metastatic {ABBR} with spread to the [[liver|anatomy]].",
            "History of {ABBR} treated with chemotherapy in the past.",
            "Screening for colon {ABBR} is up to date.",
            "{ABBR} staging completed with [[PET-CT|test]].",
            "Family history of breast {ABBR} in the mother.",
            "Tumor board discussed the {ABBR} treatment plan.",
        ]),
        "calcium": (None, None, [
            "Serum {ABBR} elevated at 11.8 mg/dL.",
            "{ABBR} and vitamin D supplements were continued.",
            "Corrected {ABBR} low, repleted IV.",
            "Ionized {ABBR} within normal limits.",
            "Hypercalcemia with {ABBR} of 12.4, given fluids.",
        ]),
        "cardiac arrest": ("disease", "cardiology", [
            "Found down in {ABBR}, ROSC after two rounds of CPR.",
            "Out-of-hospital {ABBR} with ventricular fibrillation.",
            "Survived {ABBR} and received an ICD.",
            "{ABBR} during the procedure, code called.",
            "Post-{ABBR} targeted temperature management.",
        ]),
    },
    "PT": {
        "physical therapy": (None, None, [
            "Continue {ABBR} twice weekly for gait training.",
            "{ABBR} evaluation for home safety before discharge.",
            "Referred to {ABBR} for shoulder strengthening.",
            "Working with {ABBR} on transfers and balance.",
            "{ABBR} recommends a walker.",
            "Patient tolerated {ABBR} session well.",
        ]),
        "prothrombin time": ("test", None, [
            "{ABBR} and INR checked before the procedure.",
            "Prolonged {ABBR} on [[warfarin|drug]].",
            "{ABBR} 18 seconds, INR 2.4.",
            "Coagulation panel: {ABBR} normal, aPTT normal.",
            "Monitor {ABBR} daily while on anticoagulation.",
        ]),
    },
    "DM": {
        "diabetes mellitus": ("disease", "endocrinology", [
            "Poorly controlled {ABBR} with [[HbA1c|test]] of 9.4%.",
            "{ABBR} on [[metformin|drug]] and diet.",
            "Type 2 {ABBR} complicated by neuropathy.",
            "Insulin-dependent {ABBR} since age twelve.",
            "{ABBR} with [[polyuria|symptom]] and weight loss.",
            "Screening for {ABBR} retinopathy is due.",
        ]),
        "dermatomyositis": ("disease", "rheumatology", [
            "{ABBR} with heliotrope rash and Gottron papules.",
            "Proximal [[muscle weakness|symptom]] and elevated CK, consistent with {ABBR}.",
            "Muscle biopsy confirmed {ABBR}.",
            "Malignancy screening recommended for new {ABBR}.",
            "{ABBR} treated with [[prednisone|drug]] and IVIG.",
        ]),
    },
    "CP": {
        "chest pain": ("symptom", "cardiology", [
            "Presented with {ABBR} radiating to the left arm.",
            "{ABBR} worse on exertion, relieved by rest.",
            "Pleuritic {ABBR} on deep inspiration.",
            "Admitted for {ABBR} rule-out.",
            "{ABBR} free since admission.",
            "Atypical {ABBR} with normal [[troponin|test]].",
        ]),
        "cerebral palsy": ("disease", "neurology", [
            "Spastic {ABBR} since birth, wheelchair-bound.",
            "Adult with {ABBR} and contractures of both legs.",
            "{ABBR} with intellectual disability, lives in group home.",
            "Botulinum toxin injections for {ABBR} spasticity.",
            "History of {ABBR} due to perinatal hypoxia.",
        ]),
    },
}

# Abbreviation sentences vary: an optional lead-in before them and a clause in place of the final period.
ABBR_LEAD_INS = ["On review, ", "Today ", "Per the team, ", "Overnight ", "Again ", "As before, ", "Of note, ", "Noted: "]
ABBR_ENDINGS = [", {dur} ago.", " on {date}.", ", discussed with Dr. {dr}.", "; {symptom} also noted.",
                ", unchanged from {date}.", "; {relation} informed.", " (reviewed with Prof. {dr}).",
                ", per Dr. {dr} at {hospital}."]

# Sentence templates per register and section. Notes are assembled section by section.
REPORT = {
    "header": [
        "DISCHARGE SUMMARY\nPatient: {name}   MRN: {mrn}\nAdmission date: {date:admit}   Attending: Dr. {dr}",
        "CLINICAL REPORT - {hospital}\nName: {name}, MRN {mrn}\nDate of admission: {date:admit}",
        "Consultation note\nPatient {name} (MRN: {mrn}), seen on {date:admit} at {hospital}.",
        "INPATIENT SUMMARY | {hospital}\nPt: {name} | MRN {mrn} | Admitted {date:admit}",
        "Outpatient clinic letter, {date:admit}\nRe: {name}, MRN {mrn}\nDear Dr. {dr},",
        "ADMISSION NOTE\nPatient: {name}, {address}. Tel {phone}\nMRN: {mrn}   Admitted: {date:admit}",
        "REGISTRATION - {hospital}\nName: {name}   DOB: {dob}   SSN: {ssn}\nMember ID: {plan}   Account no. {account}\nAdmitted: {date:admit}",
        "TRANSFER SUMMARY\nPatient: {name}, MRN {mrn}, DOB {dob}\nAddress: {address}   Email: {email}\nAdmission: {date:admit}   Referring office fax: {fax}",
        "Consult request {date:admit}\nPt {name}, MRN {mrn}. Portal: {url}\nCall back {phone}",
    ],
    "hpi": [
        "{name} is a {age}-year-old {sex} who presented with {symptom:cc} and {symptom} for {dur}.",
        "The patient, a {age}-year-old {sex}, was admitted with {symptom:cc} of {dur} duration.",
        "{Pronoun} is a {age}-year-old {sex} referred for worsening {symptom:cc}.",
        "This {age}-year-old {sex} reports {symptom:cc} that began {dur} ago, associated with {symptom}.",
        "{age}-year-old {sex} presenting to the emergency department with {symptom:cc}.",
        "{title} {last}, {age}, came in because of {symptom:cc} and intermittent {symptom}.",
        "{name}, a {age} y/o {sex}, was seen for {symptom:cc}.",
        "Patient is a {age} yo {sex} with {symptom:cc} for {dur}.",
    ],
    "history": [
        "Past medical history is significant for {comorb:hist} and {comorb:hist}.",
        "{Pronoun} has a history of {comorb:hist}.",
        "PMH: {comorb:hist}; {disease:hist}.",
        "Known {comorb:hist}, on {drug} at home.",
        "Previous admission for {disease:hist} two years ago.",
        "Family history of {comorb:fam} in a first-degree relative.",
        "Mother had {comorb:fam}; father died of {comorb:fam}.",
        "Implanted device, serial no. {device}, interrogated and functioning.",
        "No significant past medical history.",
        "Lives with {relation} {relname}, who helps with medications.",
        "Collateral history obtained from the {relation}, {relname}.",
    ],
    "negation": [
        "{Pronoun} denies {symptom:neg} and {symptom:neg}.",
        "No {symptom:neg}, no {symptom:neg}.",
        "Negative for {symptom:neg}.",
        "There was no evidence of {comorb:neg}.",
        "{comorb:neg} was ruled out.",
        "{Pronoun} denies {symptom:neg} but reports {symptom}.",
        "Without {symptom:neg} or {symptom:neg}.",
        "No improvement in {symptom} despite {drug}.",
        "{symptom} is not new; {pronoun} denies {symptom:neg}.",
    ],
    "exam": [
        "On examination there was tenderness over the {anatomy}; vital signs stable.",
        "Temperature 37.{d} C, BP {bp}, HR {hr}, SpO2 {spo2}% on room air.",
        "Examination of the {anatomy} was unremarkable apart from mild {symptom}.",
        "BP {bp}, HR {hr}, afebrile. Findings localized to the {anatomy}.",
        "Vitals: BP {bp}, HR {hr}, SpO2 {spo2}% on room air.",
        "Physical examination revealed changes involving the {anatomy}.",
    ],
    "workup": [
        "{test} showed findings in keeping with {disease:dx}.",
        "{test} and {test} were obtained; results support {disease:dx}.",
        "Workup including {test} confirmed {disease:dx}.",
        "The diagnosis of {disease:dx} was established by {test}.",
        "{test} was consistent with {disease:dx}; {test} was unremarkable.",
        "{test} was abnormal, and {disease:dx} was diagnosed.",
    ],
    "plan": [
        "{Pronoun} was started on {drug:new} {dose} {freq}. {test:order} is scheduled.",
        "Start {drug:new} {dose}, continue {drug}, repeat {test:order} in {dur}.",
        "Treatment with {drug:new} was initiated; {test:order} ordered for follow-up.",
        "Discharged on {drug:new} {dose} {freq}. Follow up with Dr. {dr} in clinic.",
        "Prescribed {drug:new} {dose} {route} {freq} (Dr. {dr}, licence no. {licence}); {test:order} in {dur}.",
        "We will begin {drug:new} and obtain {test:order}. Contact: {phone}.",
        "Recommend {drug:new} {freq} and {test:order} before the next visit on {date}.",
    ],
}

EHR = {
    "header": [
        "Nursing note {date:admit} {time}",
        "{date:admit} - Progress note, bed {bed}",
        "Shift note ({time}) {date:admit}",
        "EHR entry {date:admit}. Pt {name}, MRN {mrn}.",
        "RN note - {hospital}, {date:admit}",
        "{date:admit} {time} - pt {name} (DOB {dob}), MRN {mrn}",
        "Ricovero {date:admit} - {hospital}. Paz. {name}, nato/a il {dob}.",
    ],
    "status": [
        "Pt {age}{sexletter} c/o {symptom:cc} x {dur}.",
        "pt c/o {symptom:cc}, also {symptom}.",
        "{age}yo {sexletter}, adm w/ {symptom:cc}.",
        "Pt reports {symptom:cc} since {dur}, pain 6/10.",
        "C/o {symptom:cc} overnight, {symptom} this AM.",
        "Paz. con {symptom:cc} da {dur}.",
        "Paz. di {age} anni con {symptom:cc}.",
        "{age} y/o {sexletter}, c/o {symptom:cc}.",
    ],
    "hist": [
        "h/o {comorb:hist}.",
        "PMHx {comorb:hist}, {disease:hist}.",
        "Known {comorb:hist}, home meds incl {drug}.",
        "s/p {disease:hist}.",
        "Anamnesi: {comorb:hist}.",
    ],
    "neg": [
        "Denies {symptom:neg}.",
        "No {symptom:neg}/{symptom:neg}.",
        "Neg for {symptom:neg}.",
        "{symptom:neg} denied.",
        "No {symptom:neg} reported, still {symptom}.",
        "Nega {symptom:neg}.",
    ],
    "obs": [
        "VS: BP {bp}, HR {hr}, SpO2 {spo2}%.",
        "BP {bp} HR {hr} T 37.{d}.",
        "Assessed {anatomy}, no change.",
        "{test} pending.",
        "{test} resulted, MD aware.",
        "{test} requested.",
        "{relation} {relname} at bedside, updated on plan.",
        "Spoke with the patient's {relation}, {relname}, by phone, {phone}.",
        "Pt emailed from {email} about {symptom}.",
        "Chart opened from workstation IP {ip}.",
        "Insurance: plan ID {plan}, account {account}.",
        "Results fax to {fax}.",
    ],
    "dx": [
        "Dx {disease:dx}.",
        "A/P: {disease:dx}.",
        "Working dx: {disease:dx}.",
        "Impression: {disease:dx}.",
        "Diagnosi: {disease:dx}.",
    ],
    "plan": [
        "Started {drug:new} {dose} {freq}.",
        "Plan: {drug:new} {dose} {route} {freq}, {test:order} in AM.",
        "Given {drug:new} per order, f/u {test:order}.",
        "Cont {drug}, new {drug:new} {freq}. {test:order} ordered.",
        "Terapia: {drug:new} {dose} {freq}.",
        "MD notified, {drug:new} started, will recheck {test:order}.",
    ],
}

LITERATURE = {
    "background": [
        "{disease:dx} remains a leading cause of morbidity in adults.",
        "The pathophysiology of {disease:dx} involves the {anatomy}.",
        "Little is known about {symptom:cc} as an early sign of {disease:dx}.",
        "{disease:dx} is frequently accompanied by {comorb}.",
        "Patients with {disease:dx} often report {symptom:cc}.",
    ],
    "methods": [
        "We enrolled {n} patients with {disease:dx} and measured {test:order} at baseline.",
        "In this retrospective cohort of {n} patients, {test:order} was assessed before and after {drug:new}.",
        "A randomized trial compared {drug:new} with {drug} in {n} adults.",
        "We reviewed {n} records of patients treated with {drug:new} for {disease}.",
        "{test:order} was performed in {n} consecutive patients.",
    ],
    "results": [
        "{drug:new} reduced {symptom} by {pct}% compared with placebo.",
        "{symptom} was associated with {comorb} (odds ratio {or}).",
        "No association was found between {drug} and {symptom:neg}.",
        "Patients receiving {drug:new} had fewer episodes of {symptom}.",
        "{test} abnormalities were seen in {pct}% of cases.",
        "{comorb:neg} was not observed in the treatment arm.",
    ],
    "conclusion": [
        "These findings support {drug:new} as a treatment option for {disease}.",
        "{test:order} may help identify {disease} earlier.",
        "Further studies are needed to confirm these results.",
        "Clinicians should consider {comorb} in patients with {symptom}.",
    ],
}

FORUM = {
    "opening": [
        "Hi everyone, I'm {first} and I was diagnosed with {disease:dx} last month.",
        "Hello all. My mom ({age}) has {disease:dx} and I'm worried.",
        "Long time lurker here. For {dur} I have been feeling {feeling} and {feeling}.",
        "Quick question for anyone with {disease:dx}.",
        "so my doctor finally told me it's {disease:dx}...",
        "Has anyone else had {symptom:cc} with {disease:dx}?",
    ],
    "story": [
        "It started with {symptom:cc} and now I also get {symptom}.",
        "The {symptom:cc} is worst at night and I can't sleep.",
        "I don't have {symptom:neg} but the {symptom} won't go away.",
        "My doctor said it's not {comorb:neg}, which is a relief.",
        "I never had {symptom:neg} before all this.",
        "I also have {comorb:hist} from years ago.",
        "Some days the {symptom} is so bad I can't work.",
        "My {relation} {relname} thinks I should get a second opinion.",
    ],
    "treatment": [
        "They put me on {drug:new} and I feel a bit better.",
        "I just started {drug:new}, does it make anyone else dizzy?",
        "Been on {drug} for a while, now they added {drug:new}.",
        "Doc wants me to try {drug:new} but I'm nervous about side effects.",
        "Next week I have my {test:order}, what should I expect?",
        "My {test} came back weird and now they want {test:order} too.",
    ],
    "closing": [
        "Any advice is appreciated!",
        "Thanks for reading, {first}",
        "Sorry for the long post. You can DM me or call {phone} if you're local.",
        "My blog about it is at {url} if anyone wants to read more.",
        "Feel free to email me: {email}",
        "Anyone been through this?",
        "thx in advance",
        "Going to see Dr. {dr} on {date}, wish me luck.",
        "Appointment at {hospital} on {date}.",
    ],
}

RELATIONS = {"wife": "female", "husband": "male", "daughter": "female", "son": "male",
             "sister": "female", "brother": "male", "partner": None}
# Italian (and Latin) fragments: they appear only in notes from the "Italian hospital" subset.
ITALIAN_MARKERS = ("Paz.", "Anamnesi:", "Nega ", "Diagnosi:", "Terapia:", "Ricovero ", "per os")
# Templates that start with one of these are whole Italian sentences ("per os" is only a route).
ITALIAN_SENTENCE_STARTS = ("Paz.", "Anamnesi:", "Nega ", "Diagnosi:", "Terapia:", "Ricovero ")

FEELINGS = ["sluggish", "nauseous", "exhausted", "dizzy", "anxious", "out of breath", "achy", "foggy"]

DURATIONS = ["2 days", "3 days", "one week", "two weeks", "a month", "several months", "48 hours", "10 days", "6 weeks"]

# --------------------------------------------------------------------------- clinical coherence
# Each drug: (route, dose, frequency) regimens a clinician would write, and the ICD-10-CM code
# prefixes it treats (a prefix matches every code that starts with it). A note's new medication is
# drawn from the drugs whose indications match its diagnosis; dose, route and frequency follow the drug.
DRUG_INFO = {
    # cardiology
    "aspirin": ([("PO", "81 mg", "daily")], ("I20", "I21", "I24", "I25", "I63", "G45", "I73", "I67")),
    "atorvastatin": ([("PO", "40 mg", "at night"), ("PO", "80 mg", "at night")], ("I20", "I21", "I24", "I25", "I63", "G45", "I73", "E78", "I67", "I71")),
    "metoprolol": ([("PO", "25 mg", "BID"), ("PO", "50 mg", "daily")], ("I10", "I11", "I20", "I21", "I25", "I47", "I48", "I49", "I50", "I42", "I45", "I40", "I71")),
    "apixaban": ([("PO", "5 mg", "BID")], ("I48", "I26", "I80", "I51")),
    "furosemide": ([("PO", "40 mg", "daily"), ("IV", "40 mg", "BID")], ("I50", "I11", "I13", "I42", "I36", "I51", "J90", "N04", "N18", "N19", "I12")),
    "lisinopril": ([("PO", "10 mg", "daily")], ("I10", "I11", "I12", "I13", "I50", "I21", "I40", "N18", "N04")),
    "amiodarone": ([("PO", "200 mg", "daily"), ("IV", "150 mg", "once")], ("I47", "I48", "I49")),
    "clopidogrel": ([("PO", "75 mg", "daily")], ("I21", "I24", "I25", "I63", "G45", "I73")),
    "warfarin": ([("PO", "5 mg", "daily")], ("I48", "I26", "I80", "I05", "I34", "I35")),
    "colchicine": ([("PO", "0.5 mg", "BID")], ("I30", "I31", "M10", "M11")),
    "nitroglycerin": ([("SL", "0.4 mg", "PRN")], ("I20", "I21", "I24", "I25")),
    "diltiazem": ([("PO", "120 mg", "daily")], ("I48", "I20", "I47")),
    "sacubitril/valsartan": ([("PO", "49/51 mg", "BID")], ("I50", "I42")),
    "spironolactone": ([("PO", "25 mg", "daily")], ("I50", "I42", "E26", "K70", "K74", "E28")),
    "heparin": ([("IV", "80 units/kg bolus", "once"), ("SC", "5000 units", "every 8 hours")], ("I26", "I80", "I21", "I24", "K55")),
    "enoxaparin": ([("SC", "1 mg/kg", "BID")], ("I26", "I80", "I48")),
    "cilostazol": ([("PO", "100 mg", "BID")], ("I73",)),
    "vancomycin": ([("IV", "15 mg/kg", "every 12 hours")], ("I33", "G00", "J15")),
    "amlodipine": ([("PO", "5 mg", "daily")], ("I10", "I11", "I12", "I13", "I20", "M34", "N26", "N28")),
    "ibuprofen": ([("PO", "400 mg", "every 6 hours as needed")], ("I30", "M15", "M16", "M17", "M19", "M47", "M70", "M75", "M77", "M65", "G43", "G44")),
    # pulmonology
    "albuterol": ([("inhaled", "2 puffs", "every 4 hours as needed")], ("J43", "J44", "J45", "J47", "J20", "E84", "J98", "J60")),
    "tiotropium": ([("inhaled", "18 mcg", "daily")], ("J43", "J44")),
    "budesonide/formoterol": ([("inhaled", "2 puffs", "BID")], ("J44", "J45")),
    "prednisone": ([("PO", "40 mg", "daily"), ("PO", "20 mg", "daily")], ("J44", "J45", "J67", "J84", "D86", "M05", "M06", "M30", "M31", "M32", "M33", "M35", "M60", "G51", "G70", "G71", "N00", "N01", "N03", "N04", "K75")),
    "azithromycin": ([("PO", "500 mg", "daily")], ("J13", "J15", "J18", "J20", "J47")),
    "ceftriaxone": ([("IV", "1 g", "daily"), ("IV", "2 g", "every 12 hours")], ("J13", "J15", "J18", "N10", "G00", "I33", "K81", "N15")),
    "piperacillin/tazobactam": ([("IV", "4.5 g", "every 6 hours")], ("J69", "J86", "J15", "K57", "K81", "K85", "N10")),
    "oseltamivir": ([("PO", "75 mg", "BID")], ("J12",)),
    "montelukast": ([("PO", "10 mg", "at night")], ("J45",)),
    "isoniazid": ([("PO", "300 mg", "daily")], ("A15",)),
    "rifampin": ([("PO", "600 mg", "daily")], ("A15",)),
    "nintedanib": ([("PO", "150 mg", "BID")], ("J84", "J60", "M34")),
    "oxygen": ([("by nasal cannula", "2 L/min", "continuously")], ("J93", "J96", "J84", "J43", "J44", "I27", "J60", "J98")),
    "sildenafil": ([("PO", "20 mg", "TID")], ("I27",)),
    "modafinil": ([("PO", "200 mg", "daily")], ("G47",)),
    "dornase alfa": ([("inhaled", "2.5 mg", "daily")], ("E84",)),
    # neurology
    "levetiracetam": ([("PO", "500 mg", "BID"), ("IV", "1000 mg", "BID")], ("G40", "I61")),
    "lamotrigine": ([("PO", "100 mg", "BID")], ("G40",)),
    "sumatriptan": ([("PO", "50 mg", "at onset of headache")], ("G43", "G44")),
    "topiramate": ([("PO", "25 mg", "BID")], ("G43", "G40")),
    "carbidopa/levodopa": ([("PO", "25/100 mg", "TID")], ("G20",)),
    "pramipexole": ([("PO", "0.25 mg", "at night")], ("G20", "G25")),
    "propranolol": ([("PO", "40 mg", "BID")], ("G25", "G43", "E05")),
    "donepezil": ([("PO", "5 mg", "at night")], ("G30", "G31")),
    "gabapentin": ([("PO", "300 mg", "TID")], ("G62", "G57", "G56", "G50", "G61")),
    "carbamazepine": ([("PO", "200 mg", "BID")], ("G50", "G40")),
    "ocrelizumab": ([("IV", "600 mg", "every 6 months")], ("G35", "G36")),
    "methylprednisolone": ([("IV", "1 g", "daily for 3 days")], ("G35", "G36", "M31", "M32", "M33", "N01")),
    "intravenous immunoglobulin": ([("IV", "0.4 g/kg", "daily for 5 days")], ("G61", "G70", "M33", "G36")),
    "pyridostigmine": ([("PO", "60 mg", "TID")], ("G70",)),
    "tetrabenazine": ([("PO", "12.5 mg", "BID")], ("G10", "G25")),
    "acetazolamide": ([("PO", "250 mg", "BID")], ("G91", "G93")),
    "nicardipine": ([("IV", "5 mg/h", "by infusion")], ("I61", "I67")),
    "alteplase": ([("IV", "0.9 mg/kg", "once")], ("I63",)),
    "dexamethasone": ([("IV", "10 mg", "every 6 hours")], ("G00", "G03", "C71")),
    "acyclovir": ([("IV", "10 mg/kg", "every 8 hours")], ("G03", "G04", "G51")),
    # gastroenterology
    "omeprazole": ([("PO", "20 mg", "daily"), ("PO", "40 mg", "daily")], ("K20", "K21", "K22", "K25", "K26", "K29", "K31")),
    "pantoprazole": ([("IV", "40 mg", "BID"), ("PO", "40 mg", "daily")], ("K92", "K25", "K26", "K21", "K20", "K29")),
    "mesalamine": ([("PO", "2.4 g", "daily")], ("K51", "K50", "K52")),
    "infliximab": ([("IV", "5 mg/kg", "every 8 weeks")], ("K50", "K51", "M05", "M06", "M45")),
    "budesonide": ([("PO", "9 mg", "daily")], ("K50", "K52")),
    "ondansetron": ([("PO", "4 mg", "every 8 hours as needed"), ("IV", "4 mg", "every 8 hours as needed")], ("K29", "K31", "K52", "K85", "K56")),
    "loperamide": ([("PO", "2 mg", "after each loose stool")], ("K58", "K59", "K52")),
    "lactulose": ([("PO", "20 g", "BID")], ("K70", "K72", "K74", "K59")),
    "rifaximin": ([("PO", "550 mg", "BID")], ("K70", "K74", "K58")),
    "ursodiol": ([("PO", "300 mg", "BID")], ("K80", "K74", "K83", "K71")),
    "metoclopramide": ([("PO", "10 mg", "before meals")], ("K31", "K22")),
    "polyethylene glycol": ([("PO", "17 g", "daily")], ("K59", "K60", "K64", "K58")),
    "metronidazole": ([("PO", "500 mg", "TID")], ("K61", "K57", "K50", "K52", "K65")),
    "ciprofloxacin": ([("PO", "500 mg", "BID")], ("N10", "N39", "K57", "K61", "N11", "N15")),
    "normal saline": ([("IV", "1 L", "over 2 hours")], ("K56", "K85", "E86", "E87", "N17", "K55")),
    "thiamine": ([("IV", "100 mg", "daily"), ("PO", "100 mg", "daily")], ("K70",)),
    "prednisolone": ([("PO", "40 mg", "daily")], ("K70", "K75")),
    "azathioprine": ([("PO", "50 mg", "daily")], ("K75", "K50", "K51", "M32")),
    "acetylcysteine": ([("IV", "150 mg/kg", "over 1 hour")], ("K71",)),
    "pancrelipase": ([("PO", "25,000 units", "with meals")], ("K86", "E84")),
    "octreotide": ([("IV", "50 mcg/h", "by infusion"), ("SC", "100 mcg", "TID")], ("K92", "K74", "E22", "E34")),
    # oncology
    "cisplatin": ([("IV", "75 mg/m2", "every 3 weeks")], ("C15", "C16", "C32", "C34", "C45", "C53", "C67")),
    "carboplatin": ([("IV", "AUC 5", "every 3 weeks")], ("C34", "C56", "C54", "C45")),
    "paclitaxel": ([("IV", "175 mg/m2", "every 3 weeks")], ("C34", "C50", "C56", "C54", "C15", "C16")),
    "pemetrexed": ([("IV", "500 mg/m2", "every 3 weeks")], ("C34", "C45")),
    "pembrolizumab": ([("IV", "200 mg", "every 3 weeks")], ("C34", "C43", "C67", "C64", "C16", "C15", "C81", "C53", "C32")),
    "oxaliplatin": ([("IV", "85 mg/m2", "every 2 weeks")], ("C18", "C20", "C15", "C16", "C25")),
    "capecitabine": ([("PO", "1000 mg/m2", "BID")], ("C18", "C20", "C50", "C16", "C25")),
    "gemcitabine": ([("IV", "1000 mg/m2", "weekly")], ("C25", "C67", "C56")),
    "tamoxifen": ([("PO", "20 mg", "daily")], ("C50", "D05")),
    "letrozole": ([("PO", "2.5 mg", "daily")], ("C50", "D05")),
    "trastuzumab": ([("IV", "6 mg/kg", "every 3 weeks")], ("C50",)),
    "enzalutamide": ([("PO", "160 mg", "daily")], ("C61",)),
    "leuprolide": ([("IM", "22.5 mg", "every 3 months")], ("C61",)),
    "sorafenib": ([("PO", "400 mg", "BID")], ("C22", "C73")),
    "sunitinib": ([("PO", "50 mg", "daily")], ("C64",)),
    "temozolomide": ([("PO", "75 mg/m2", "daily")], ("C71",)),
    "doxorubicin": ([("IV", "25 mg/m2", "every 2 weeks")], ("C81", "C82", "C83", "C85")),
    "rituximab": ([("IV", "375 mg/m2", "weekly")], ("C82", "C83", "C85", "C91", "M05", "M06", "M31", "N04")),
    "lenalidomide": ([("PO", "25 mg", "daily")], ("C90",)),
    "bortezomib": ([("SC", "1.3 mg/m2", "twice weekly")], ("C90",)),
    "ibrutinib": ([("PO", "420 mg", "daily")], ("C91", "C83")),
    "imatinib": ([("PO", "400 mg", "daily")], ("C92",)),
    "cytarabine": ([("IV", "100 mg/m2", "daily")], ("C92", "C91")),
    "nivolumab": ([("IV", "240 mg", "every 2 weeks")], ("C43", "C34", "C64")),
    # endocrinology
    "metformin": ([("PO", "500 mg", "BID"), ("PO", "1000 mg", "BID")], ("E11", "E13", "E28", "E88")),
    "insulin glargine": ([("SC", "10 units", "at night")], ("E10", "E11", "E13")),
    "insulin lispro": ([("SC", "4 units", "with meals")], ("E10",)),
    "levothyroxine": ([("PO", "50 mcg", "daily"), ("PO", "100 mcg", "daily")], ("E01", "E03", "E04", "E06", "E07", "E23", "C73")),
    "methimazole": ([("PO", "10 mg", "daily")], ("E05",)),
    "empagliflozin": ([("PO", "10 mg", "daily")], ("E11", "I50", "N18")),
    "semaglutide": ([("SC", "0.25 mg", "weekly")], ("E11", "E66")),
    "hydrocortisone": ([("PO", "10 mg", "BID"), ("IV", "100 mg", "every 8 hours")], ("E27", "E23")),
    "calcitriol": ([("PO", "0.25 mcg", "daily")], ("E20", "N18", "N25", "E83")),
    "cinacalcet": ([("PO", "30 mg", "daily")], ("E21", "N25")),
    "cabergoline": ([("PO", "0.5 mg", "twice weekly")], ("E22",)),
    "metyrapone": ([("PO", "250 mg", "TID")], ("E24",)),
    "glucagon": ([("IM", "1 mg", "once")], ("E16",)),
    "cholecalciferol": ([("PO", "2000 IU", "daily")], ("E55", "M81", "M85", "E20")),
    "ezetimibe": ([("PO", "10 mg", "daily")], ("E78",)),
    "magnesium oxide": ([("PO", "400 mg", "BID")], ("E83",)),
    # rheumatology
    "methotrexate": ([("PO", "15 mg", "weekly")], ("M05", "M06", "M08", "M33", "M02")),
    "hydroxychloroquine": ([("PO", "200 mg", "BID")], ("M05", "M06", "M32", "M35")),
    "allopurinol": ([("PO", "100 mg", "daily")], ("M10",)),
    "adalimumab": ([("SC", "40 mg", "every 2 weeks")], ("M05", "M06", "M08", "M45", "K50", "K51")),
    "alendronate": ([("PO", "70 mg", "weekly")], ("M81", "M85")),
    "zoledronic acid": ([("IV", "5 mg", "yearly")], ("M81", "M85", "C90")),
    "denosumab": ([("SC", "60 mg", "every 6 months")], ("M81",)),
    "naproxen": ([("PO", "500 mg", "BID")], ("M02", "M10", "M11", "M15", "M16", "M17", "M19", "M45", "M47", "M65", "M70", "M75", "M77")),
    "acetaminophen": ([("PO", "1 g", "every 6 hours as needed")], ("M15", "M16", "M17", "M19", "M47", "M79", "G44", "N20", "N21")),
    "duloxetine": ([("PO", "30 mg", "daily")], ("M79", "G62")),
    "cyclophosphamide": ([("IV", "500 mg/m2", "every 2 weeks")], ("M30", "M31", "M32", "M34", "N01", "N05")),
    "mycophenolate": ([("PO", "1 g", "BID")], ("M32", "M34", "N04", "N05", "M33")),
    "triamcinolone": ([("intra-articular", "40 mg", "once")], ("M16", "M17", "M19", "M75", "M70", "M65", "M77", "M11")),
    "tocilizumab": ([("SC", "162 mg", "weekly")], ("M31", "M05", "M06", "M08")),
    "pilocarpine": ([("PO", "5 mg", "QID")], ("M35",)),
    # nephrology
    "losartan": ([("PO", "50 mg", "daily")], ("N02", "N03", "N04", "N05", "N06", "N07", "N18", "I12", "I13", "I10", "N26", "N28", "Q61")),
    "tamsulosin": ([("PO", "0.4 mg", "at night")], ("N13", "N20", "N21")),
    "sodium bicarbonate": ([("PO", "650 mg", "TID")], ("N18", "N25", "E87")),
    "epoetin alfa": ([("SC", "4000 units", "weekly")], ("N18", "N19", "I12")),
    "sevelamer": ([("PO", "800 mg", "with meals")], ("N18", "N19", "N25")),
    "nitrofurantoin": ([("PO", "100 mg", "BID")], ("N39",)),
    "patiromer": ([("PO", "8.4 g", "daily")], ("E87", "N18")),
    "tolvaptan": ([("PO", "45 mg", "daily")], ("Q61",)),
    "potassium citrate": ([("PO", "20 mEq", "BID")], ("N20", "N21", "N25")),
}

# How each canonical frequency may be written.
FREQ_FORMS = {"daily": ["daily", "once daily", "q.d.", "QD"], "BID": ["BID", "b.i.d.", "twice daily", "every 12 hours"],
              "TID": ["TID", "t.i.d.", "three times daily"], "QID": ["QID", "four times daily"]}

# Each test: what it measures or shows, and the ICD-10-CM code prefixes it helps diagnose or follow.
TEST_INFO = {
    "ECG": ("the heart's electrical activity", ("I2", "I3", "I4", "I5", "I10", "I11", "I26", "E05", "E87")),
    "troponin": ("heart muscle injury", ("I20", "I21", "I24", "I25", "I40", "I26")),
    "echocardiogram": ("heart chambers, valves and pumping function", ("I05", "I1", "I2", "I3", "I4", "I50", "I51", "I71", "I27", "I26", "M34")),
    "coronary angiography": ("narrowing of the coronary arteries", ("I20", "I21", "I24", "I25")),
    "BNP": ("strain on the heart (heart failure)", ("I50", "I11", "I13", "I42", "I27")),
    "Holter monitor": ("heart rhythm over 24-48 hours", ("I44", "I45", "I47", "I48", "I49", "G45")),
    "stress test": ("ischemia during exercise", ("I20", "I25")),
    "lipid panel": ("cholesterol and triglycerides", ("E78", "I20", "I21", "I25", "I63", "E11")),
    "CT angiogram of the aorta": ("the aorta's diameter and wall", ("I71",)),
    "ankle-brachial index": ("blood flow to the legs", ("I73",)),
    "venous duplex ultrasound": ("clots in the leg veins", ("I80", "I26")),
    "blood cultures": ("bacteria in the blood", ("I33", "G00", "J13", "J15", "J18", "N10", "K81", "K85", "J86")),
    "chest X-ray": ("lungs, heart size and pleura", ("J", "I50", "A15", "D86", "C34", "C45", "E84")),
    "CT chest": ("lung tissue, nodules and lymph nodes", ("J4", "J6", "J8", "J9", "C34", "C45", "D86", "A15", "C81", "C82", "C83", "C85")),
    "spirometry": ("airflow obstruction", ("J43", "J44", "J45", "J47", "J84", "E84", "J60", "J67")),
    "arterial blood gas": ("oxygen, carbon dioxide and pH", ("J96", "J44", "J43", "J45", "E87", "J18")),
    "D-dimer": ("clot breakdown products", ("I26", "I80")),
    "sputum culture": ("bacteria in the sputum", ("J13", "J15", "J18", "J47", "A15", "E84", "J86")),
    "CT pulmonary angiogram": ("clots in the pulmonary arteries", ("I26",)),
    "pulse oximetry": ("oxygen saturation", ("J", "I26", "I27", "G47")),
    "polysomnography": ("breathing and oxygen during sleep", ("G47",)),
    "sweat chloride test": ("chloride in sweat", ("E84",)),
    "MRI brain": ("brain lesions, bleeding and infarcts", ("G1", "G2", "G3", "G4", "G91", "I6", "C71", "G00", "G03")),
    "EEG": ("electrical activity of the brain", ("G40", "G03", "G00")),
    "lumbar puncture": ("cells, protein and pressure of the spinal fluid", ("G00", "G03", "G35", "G36", "G61", "G91")),
    "CT head": ("bleeding or stroke in the brain", ("I61", "I63", "I67", "G45", "G91", "G44", "C71")),
    "nerve conduction study": ("how well peripheral nerves conduct", ("G5", "G6", "G70", "G71", "E11")),
    "carotid Doppler": ("narrowing of the carotid arteries", ("G45", "I63", "I67")),
    "MRI spine": ("the spinal cord and discs", ("G35", "G36", "M47", "M45", "G95")),
    "acetylcholine receptor antibodies": ("antibodies of myasthenia gravis", ("G70",)),
    "colonoscopy": ("the lining of the colon", ("K50", "K51", "K52", "K55", "K57", "K58", "K59", "K92", "C18", "C20", "K64", "K60")),
    "upper endoscopy": ("the lining of the esophagus, stomach and duodenum", ("K20", "K21", "K22", "K25", "K26", "K29", "K31", "K92", "C15", "C16")),
    "liver function tests": ("liver enzymes and bilirubin", ("K7", "K80", "K81", "K83", "C22", "E83")),
    "abdominal ultrasound": ("liver, gallbladder and bile ducts", ("K7", "K80", "K81", "K85", "K86", "C22")),
    "lipase": ("pancreatic inflammation", ("K85", "K86")),
    "stool calprotectin": ("bowel inflammation", ("K50", "K51", "K52", "K58")),
    "CT abdomen": ("abdominal organs and bowel", ("K5", "K6", "K85", "K86", "C1", "C2", "C64", "C67", "N13", "N20")),
    "stool culture": ("bacteria in the stool", ("K52",)),
    "biopsy": ("tissue under the microscope", ("C", "D05", "K50", "K51", "K75")),
    "PET-CT": ("metabolically active tumor", ("C",)),
    "tumor markers": ("proteins shed by some tumors", ("C18", "C20", "C22", "C25", "C56", "C61", "C16")),
    "bone marrow biopsy": ("blood-forming cells in the marrow", ("C90", "C91", "C92", "C81", "C82", "C83", "C85")),
    "mammogram": ("breast tissue", ("C50", "D05")),
    "PSA": ("prostate-specific antigen", ("C61",)),
    "serum protein electrophoresis": ("abnormal antibodies (paraprotein)", ("C90",)),
    "HbA1c": ("average blood glucose over three months", ("E10", "E11", "E13", "E16", "E88", "E28", "E66")),
    "TSH": ("thyroid function", ("E0", "C73", "E23")),
    "free T4": ("thyroid hormone", ("E0", "E23")),
    "fasting glucose": ("blood glucose", ("E10", "E11", "E13", "E16")),
    "thyroid ultrasound": ("thyroid nodules and size", ("E01", "E04", "E05", "E06", "E07", "C73")),
    "cortisol level": ("adrenal function", ("E24", "E27", "E23")),
    "parathyroid hormone": ("parathyroid function", ("E20", "E21", "N18", "N25", "E83", "E55")),
    "25-hydroxyvitamin D": ("vitamin D stores", ("E55", "M81", "M85", "E20", "E21")),
    "aldosterone-renin ratio": ("aldosterone excess", ("E26",)),
    "rheumatoid factor": ("an antibody of rheumatoid arthritis", ("M05", "M06", "M08")),
    "anti-CCP": ("an antibody specific for rheumatoid arthritis", ("M05", "M06")),
    "ANA": ("antinuclear antibodies", ("M32", "M33", "M34", "M35")),
    "ESR": ("inflammation", ("M0", "M3", "M45", "M60", "M79")),
    "CRP": ("inflammation", ("M0", "M3", "M45", "M60", "M79", "K50", "K51", "J18", "N10")),
    "uric acid": ("serum urate", ("M10", "N20")),
    "DEXA scan": ("bone density", ("M81", "M85")),
    "joint X-ray": ("joint space and erosions", ("M0", "M1", "M45", "M47")),
    "ANCA": ("antibodies of small-vessel vasculitis", ("M30", "M31", "N01")),
    "creatine kinase": ("muscle damage", ("M33", "M60", "G71")),
    "serum creatinine": ("kidney function", ("N", "I12", "I13", "E87", "Q61")),
    "urinalysis": ("blood, protein and infection in the urine", ("N", "I12", "Q61")),
    "eGFR": ("estimated kidney filtration", ("N0", "N1", "N2", "I12", "I13", "Q61")),
    "renal ultrasound": ("kidney size, cysts and obstruction", ("N1", "N2", "Q61", "N13")),
    "urine protein": ("protein leaking into the urine", ("N0", "I12", "E11")),
    "potassium": ("serum potassium", ("E87", "N17", "N18", "N19", "E27", "E26")),
    "kidney biopsy": ("kidney tissue under the microscope", ("N0", "N25", "N28")),
    "urine culture": ("bacteria in the urine", ("N10", "N39", "N11", "N15")),
    "urine 5-HIAA": ("a serotonin breakdown product (carcinoid)", ("E34",)),
    "musculoskeletal ultrasound": ("tendons, bursae and synovium", ("M65", "M70", "M75", "M77")),
    "serum sodium": ("serum sodium", ("E87", "E22", "E23")),
    "CBC": ("blood counts", ("C9", "C8", "K92", "N18", "M32", "J18", "K85")),
    "basic metabolic panel": ("electrolytes and kidney function", ("E87", "N", "I50", "E10", "E11", "K56", "K85")),
}


def _matches(code: str, prefixes) -> bool:
    """True when an ICD-10-CM code (or 3-character category) starts with one of `prefixes`, or vice versa."""
    return any(code.startswith(p) or p.startswith(code) for p in prefixes)


def _by_specialty(info: dict) -> dict:
    return {s: [name for name, value in info.items() if any(_matches(c, value[1]) for c in ICD_CATEGORIES[s])]
            for s in SPECIALTIES}


# Drugs and tests per specialty, derived from the indications above (so they agree with them).
DRUGS = _by_specialty(DRUG_INFO)
TESTS = _by_specialty(TEST_INFO)
GENERAL_DRUGS = ["acetaminophen", "ibuprofen", "ondansetron", "omeprazole"]
GENERAL_TESTS = ["CBC", "basic metabolic panel", "CRP", "urinalysis", "chest X-ray"]

# --------------------------------------------------------------------------- identities (PHI)
# Names, streets and cities come from Faker's en_US and it_IT data (see utils.data._identity_pools);
# these are only the frames around them.
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
MONTHS_IT = ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
             "settembre", "ottobre", "novembre", "dicembre"]
HOSPITAL_FORMS_EN = ["{city} General Hospital", "St. {first}'s Hospital", "{last} Memorial Medical Center",
                     "{city} Regional Clinic", "{last} Heart and Vascular Institute", "University Hospital of {city}"]
HOSPITAL_FORMS_IT = ["Ospedale {city}", "Presidio Ospedaliero di {city}", "Policlinico {last}",
                     "Ospedale San {first}", "Casa di Cura {last}"]
STREET_SUFFIXES = ["Street", "Avenue", "Road", "Lane", "Drive", "Court", "Boulevard", "Way"]
STREET_FORMS_IT = ["Via {last}", "Corso {last}", "Piazza {last}", "Viale {first} {last}"]
EMAIL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "libero.it", "icloud.com", "proton.me"]
TITLES = {"male": ["Mr.", "Mr", "Sig."], "female": ["Ms.", "Mrs.", "Sig.ra"]}
