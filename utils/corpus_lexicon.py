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
                   "I40", "I42", "I44", "I45", "I47", "I48", "I49", "I50", "I51", "I71", "I73", "I80"],
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
LAY_DISEASES = {
    "cardiology": ["heart attack", "AFib", "high blood pressure", "heart failure", "a leaky valve", "palpitations"],
    "pulmonology": ["COPD", "asthma", "pneumonia", "sleep apnea", "a blood clot in my lung", "emphysema"],
    "neurology": ["migraines", "epilepsy", "Parkinson's", "a mini stroke", "multiple sclerosis", "nerve damage in my feet"],
    "gastroenterology": ["acid reflux", "Crohn's", "IBS", "gallstones", "a stomach ulcer", "fatty liver"],
    "oncology": ["breast cancer", "lymphoma", "prostate cancer", "a lung tumor", "leukemia", "colon cancer"],
    "endocrinology": ["diabetes", "an underactive thyroid", "Graves disease", "high cholesterol", "a thyroid nodule", "prediabetes"],
    "rheumatology": ["lupus", "gout", "rheumatoid arthritis", "osteoporosis", "fibromyalgia", "bad arthritis in my knees"],
    "nephrology": ["kidney stones", "kidney failure", "a kidney infection", "protein in my urine", "low sodium", "kidney disease"],
}

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

DRUGS = {
    "cardiology": ["aspirin", "atorvastatin", "metoprolol", "apixaban", "furosemide", "lisinopril", "amiodarone", "clopidogrel", "warfarin"],
    "pulmonology": ["albuterol", "tiotropium", "budesonide", "prednisone", "azithromycin", "ceftriaxone", "montelukast", "heparin"],
    "neurology": ["levetiracetam", "sumatriptan", "levodopa", "gabapentin", "donepezil", "topiramate", "interferon beta", "ocrelizumab"],
    "gastroenterology": ["omeprazole", "pantoprazole", "mesalamine", "infliximab", "ondansetron", "loperamide", "lactulose", "ursodiol"],
    "oncology": ["cisplatin", "paclitaxel", "tamoxifen", "pembrolizumab", "carboplatin", "letrozole", "rituximab", "ondansetron"],
    "endocrinology": ["metformin", "insulin glargine", "levothyroxine", "methimazole", "empagliflozin", "semaglutide", "hydrocortisone", "atorvastatin"],
    "rheumatology": ["methotrexate", "hydroxychloroquine", "allopurinol", "colchicine", "adalimumab", "prednisone", "alendronate", "naproxen"],
    "nephrology": ["furosemide", "tamsulosin", "sodium bicarbonate", "epoetin alfa", "losartan", "sevelamer", "calcitriol", "ciprofloxacin"],
}
GENERAL_DRUGS = ["acetaminophen", "ibuprofen", "paracetamol", "omeprazole", "amoxicillin", "vitamin D", "lisinopril", "metformin"]

TESTS = {
    "cardiology": ["ECG", "troponin", "echocardiogram", "coronary angiography", "BNP", "Holter monitor", "stress test", "lipid panel"],
    "pulmonology": ["chest X-ray", "CT chest", "spirometry", "arterial blood gas", "D-dimer", "sputum culture", "CT pulmonary angiogram", "pulse oximetry"],
    "neurology": ["MRI brain", "EEG", "lumbar puncture", "CT head", "nerve conduction study", "carotid Doppler", "MRI spine"],
    "gastroenterology": ["colonoscopy", "upper endoscopy", "liver function tests", "abdominal ultrasound", "lipase", "stool calprotectin", "CT abdomen"],
    "oncology": ["biopsy", "PET-CT", "tumor markers", "bone marrow biopsy", "mammogram", "CT chest", "PSA"],
    "endocrinology": ["HbA1c", "TSH", "free T4", "fasting glucose", "thyroid ultrasound", "cortisol level", "lipid panel"],
    "rheumatology": ["rheumatoid factor", "anti-CCP", "ANA", "ESR", "CRP", "uric acid", "DEXA scan", "joint X-ray"],
    "nephrology": ["serum creatinine", "urinalysis", "eGFR", "renal ultrasound", "urine protein", "potassium", "kidney biopsy"],
}
GENERAL_TESTS = ["CBC", "basic metabolic panel", "CRP", "urinalysis", "chest X-ray", "blood cultures"]

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
ABBR_ENDINGS = [", {dur} ago.", " on {date}.", ", discussed with Dr. {dr}.", "; {symptom} also noted.", ", per {test}.",
                " (see {test}).", ", unchanged from {date}.", "; {relation} informed."]

# Sentence templates per register and section. Notes are assembled section by section.
REPORT = {
    "header": [
        "DISCHARGE SUMMARY\nPatient: {name}   MRN: {mrn}\nAdmission date: {date:admit}   Attending: Dr. {dr}",
        "CLINICAL REPORT - {hospital}\nName: {name}, MRN {mrn}\nDate of admission: {date:admit}",
        "Consultation note\nPatient {name} (MRN: {mrn}), seen on {date:admit} at {hospital}.",
        "INPATIENT SUMMARY | {hospital}\nPt: {name} | MRN {mrn} | Admitted {date:admit}",
        "Outpatient clinic letter, {date:admit}\nRe: {name}, MRN {mrn}\nDear Dr. {dr},",
        "ADMISSION NOTE\nPatient: {name}, {address}. Tel {phone}\nMRN: {mrn}   Admitted: {date:admit}",
    ],
    "hpi": [
        "{name} is a {age}-year-old {sex} who presented with {symptom:cc} and {symptom} for {dur}.",
        "The patient, a {age}-year-old {sex}, was admitted with {symptom:cc} of {dur} duration.",
        "{Pronoun} is a {age}-year-old {sex} referred for worsening {symptom:cc}.",
        "This {age}-year-old {sex} reports {symptom:cc} that began {dur} ago, associated with {symptom}.",
        "{age}-year-old {sex} presenting to the emergency department with {symptom:cc}.",
        "{title} {last}, {age}, came in because of {symptom:cc} and intermittent {symptom}.",
    ],
    "history": [
        "Past medical history is significant for {comorb:hist} and {comorb:hist}.",
        "{Pronoun} has a history of {comorb:hist}.",
        "PMH: {comorb:hist}; {disease:hist}.",
        "Known {comorb:hist}, on {drug} at home.",
        "Previous admission for {disease:hist} two years ago.",
        "Family history of {comorb:hist} in a first-degree relative.",
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
        "On examination the {anatomy} was tender; vital signs stable.",
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
        "Imaging with {test} was consistent with {disease:dx}; {test} was unremarkable.",
        "{test} was abnormal, and {disease:dx} was diagnosed.",
    ],
    "plan": [
        "{Pronoun} was started on {drug:new} {dose} {freq}. {test:order} is scheduled.",
        "Start {drug:new} {dose}, continue {drug}, repeat {test:order} in {dur}.",
        "Treatment with {drug:new} was initiated; {test:order} ordered for follow-up.",
        "Discharged on {drug:new} {dose} {freq}. Follow up with Dr. {dr} in clinic.",
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
    ],
    "status": [
        "Pt {age}{sexletter} c/o {symptom:cc} x {dur}.",
        "pt c/o {symptom:cc}, also {symptom}.",
        "{age}yo {sexletter}, adm w/ {symptom:cc}.",
        "Pt reports {symptom:cc} since {dur}, pain 6/10.",
        "C/o {symptom:cc} overnight, {symptom} this AM.",
        "Paz. con {symptom:cc} da {dur}.",
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
        "Labs: {test} drawn.",
        "{relation} {relname} at bedside, updated on plan.",
        "Spoke with the patient's {relation}, {relname}, by phone, {phone}.",
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
        "Next week I have a {test:order}, what should I expect?",
        "My {test} came back weird and they want a {test:order}.",
    ],
    "closing": [
        "Any advice is appreciated!",
        "Thanks for reading, {first}",
        "Sorry for the long post. You can DM me or call {phone} if you're local.",
        "Anyone been through this?",
        "thx in advance",
        "Going to see Dr. {dr} on {date}, wish me luck.",
    ],
}

RELATIONS = {"wife": "female", "husband": "male", "daughter": "female", "son": "male",
             "sister": "female", "brother": "male", "partner": None}
# Italian (and Latin) fragments: they appear only in notes from the "Italian hospital" subset.
ITALIAN_MARKERS = ("Paz.", "Anamnesi:", "Nega ", "Diagnosi:", "Terapia:", "per os")

FEELINGS = ["sluggish", "nauseous", "exhausted", "dizzy", "anxious", "out of breath", "achy", "foggy"]

FIRST_NAMES = {
    "male": ["James", "Luca", "Omar", "Daniel", "Wei", "Mateo", "Samuel", "Arjun", "Marco", "Thomas", "Kwame", "Pierre", "Ivan", "Hiro", "Noah", "Giovanni"],
    "female": ["Maria", "Aisha", "Sarah", "Giulia", "Mei", "Elena", "Priya", "Fatima", "Laura", "Sofia", "Amara", "Claire", "Olga", "Yuki", "Emma", "Chiara"],
}
LAST_NAMES = ["Rossi", "Smith", "Okafor", "Chen", "Garcia", "Patel", "Muller", "Kowalski", "Nguyen", "Bianchi", "Johnson", "Haddad", "Silva",
              "Ferrari", "Novak", "Kim", "Brown", "Esposito", "Ivanova", "Mensah", "Tanaka", "Dubois", "Romano", "Larsen"]
STREETS = ["Oak Street", "Via Roma", "Maple Avenue", "Corso Garibaldi", "Elm Road", "Lakeview Drive", "Via Dante", "Hill Lane"]
CITIES = ["Springfield", "Pavia", "Riverton", "Milano", "Fairview", "Lakeside", "Torino", "Greenville"]
HOSPITALS = ["St. Mary's Hospital", "Riverside Medical Center", "Ospedale San Matteo", "Mercy General", "Lakeside Clinic", "University Hospital"]

DOSES = ["5 mg", "10 mg", "20 mg", "40 mg", "50 mg", "100 mg", "250 mg", "500 mg", "1 g", "2.5 mg"]
FREQS = ["daily", "BID", "TID", "once daily", "every 12 hours", "at night", "q.d.", "b.i.d.", "PRN"]
ROUTES = ["PO", "IV", "per os", "SC"]
DURATIONS = ["2 days", "3 days", "one week", "two weeks", "a month", "several months", "48 hours", "10 days", "6 weeks"]
